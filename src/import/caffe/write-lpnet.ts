import { formatLpnetSafely } from '../../format/format.js';
import type { AttrValue, Graph } from '../../ir/graph.js';
import { formatNumberType, isFixed, sameNumberType, type FixedType, type NumberType } from '../../numeric/number-type.js';
import { getOp } from '../../ops/registry.js';
import type { DataSourceInfo, ImportedNet, ImportedNode } from './imported-net.js';

/**
 * Writes an imported net as .lpnet text: a header saying where it came from (and what the data
 * layers read, for the data loader), one `type` alias per fixed-point type used, `input`
 * declarations with explicit shapes, one binding per layer with its lpc op and the attributes that
 * differ from the op's defaults, `output`/`loss` markers, and the inferred shape of each value as
 * a trailing comment. The text is then put in canonical form by the lpc formatter.
 */

export interface WriteLpnetOptions {
  /** Source file names for the header. */
  prototxt: string;
  caffemodel?: string;
}

function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function formatNumber(n: number): string {
  // String() gives the shortest text that reads back as the same double (1e-7, 0.0001, 5e-324)
  return String(n);
}

/** Readable alias names for the fixed-point types a net uses: `Q2_14`, `Q4_4s` (stochastic). */
class TypeAliases {
  readonly entries: { name: string; type: FixedType }[] = [];

  constructor(private readonly taken: ReadonlySet<string>) {}

  nameOf(t: FixedType): string {
    const found = this.entries.find((e) => sameNumberType(e.type, t));
    if (found) return found.name;
    const round = t.round === 'nearest' ? '' : t.round === 'stochastic' ? 's' : `_${t.round}`;
    const over = t.overflow === 'saturate_symmetric' ? '' : t.overflow === 'saturate' ? '_sat' : '_wrap';
    let name = `Q${t.intBits}_${t.fracBits}${round}${over}`;
    while (this.taken.has(name) || this.entries.some((e) => e.name === name)) name = `${name}_t`;
    this.entries.push({ name, type: t });
    return name;
  }

  typeText(t: NumberType): string {
    return isFixed(t) ? this.nameOf(t) : formatNumberType(t);
  }
}

function sameAttr(a: AttrValue, b: AttrValue | undefined): boolean {
  if (b === undefined) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) return sameNumberType(a, b);
  return a === b;
}

function attrText(v: AttrValue, aliases: TypeAliases, arity: number | undefined): string {
  if (Array.isArray(v)) {
    if (arity !== undefined && v.length === arity && v.every((x) => x === v[0])) return formatNumber(v[0]);
    return `[${v.map(formatNumber).join(', ')}]`;
  }
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v; // enum words are bare; `string` attributes are quoted by the caller
  return aliases.typeText(v);
}

function callText(n: ImportedNode, aliases: TypeAliases): string {
  const op = getOp(n.op);
  const args: string[] = [...n.inputs];
  for (const [name, v] of Object.entries(n.attrs)) {
    const spec = op?.attrs[name];
    if (spec && sameAttr(v, spec.default)) continue;
    const text = spec?.kind === 'string' && typeof v === 'string' ? quoteString(v) : attrText(v, aliases, spec?.arity);
    args.push(`${name}: ${text}`);
  }
  if (n.types.weights) args.push(`weights: ${aliases.typeText(n.types.weights)}`);
  if (n.types.bias) args.push(`bias: ${aliases.typeText(n.types.bias)}`);
  if (n.types.acc) args.push(`acc: ${aliases.typeText(n.types.acc)}`);
  const out = n.types.output ? ` -> ${aliases.typeText(n.types.output)}` : '';
  return `${n.op}(${args.join(', ')})${out}`;
}

function comment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, ' ')}`;
}

function describeData(id: string, d: DataSourceInfo): string {
  const parts = [`input \`${id}\`: ${d.layerType} layer "${d.layerName}"`];
  if (d.source !== undefined) parts.push(`source "${d.source}"${d.backend ? ` (${d.backend})` : ''}`);
  if (d.batchSize !== undefined) parts.push(`batch ${d.batchSize}`);
  if (d.scale !== undefined) parts.push(`scale ${formatNumber(d.scale)}`);
  if (d.meanValue) parts.push(`mean_value [${d.meanValue.map(formatNumber).join(', ')}]`);
  if (d.meanFile !== undefined) parts.push(`mean_file "${d.meanFile}"`);
  if (d.cropSize !== undefined) parts.push(`crop_size ${d.cropSize}`);
  if (d.mirror !== undefined) parts.push(`mirror ${d.mirror}`);
  parts.push(`shape: ${d.shapeFrom}`);
  return parts.join(', ');
}

/** The .lpnet text, before formatting. */
export function lpnetText(net: ImportedNet, graph: Graph | undefined, opts: WriteLpnetOptions): string {
  const taken = new Set([...net.inputs.map((i) => i.id), ...net.nodes.map((n) => n.id)]);
  const aliases = new TypeAliases(taken);
  const body: string[] = [];
  for (const input of net.inputs) {
    body.push(`  input ${input.id}: ${input.dtype}[${input.shape.join(', ')}]`);
  }
  body.push('');
  for (const n of net.nodes) {
    const call = callText(n, aliases);
    const head = n.marker ? `${n.marker} ${n.id} = ` : `${n.id} = `;
    const v = graph?.values.get(n.id);
    const notes: string[] = [];
    if (v && v.type.shape.length > 0) notes.push(`[${v.type.shape.join(', ')}]`);
    if (n.layerName !== n.id || n.folded) notes.push(`${n.layerType} "${n.layerName}"${n.folded ? ` + LPAct ${n.folded.map((f) => `"${f}"`).join(', ')}` : ''}`);
    body.push(`  ${head}${call}${notes.length > 0 ? `  ${comment(notes.join('  '))}` : ''}`);
  }
  const header: string[] = [
    comment(`Imported by \`lpc import\` from ${opts.prototxt}${opts.caffemodel ? ` (weights: ${opts.caffemodel})` : ''}:`),
    comment(`Caffe net "${net.caffeName}", phase ${net.phase}. Shapes of values are in the comments after them.`),
  ];
  for (const input of net.inputs) if (input.data && input.data.layerType !== 'Input') header.push(comment(describeData(input.id, input.data)));
  const types = aliases.entries.map((e) => `type ${e.name} = ${formatNumberType(e.type)}`);
  return [...header, '', ...(types.length > 0 ? [...types, ''] : []), `net ${net.name} {`, ...body, '}', ''].join('\n');
}

/** The .lpnet text in canonical form (unformatted text when the formatter refuses it). */
export async function writeLpnet(net: ImportedNet, graph: Graph | undefined, opts: WriteLpnetOptions): Promise<string> {
  const text = lpnetText(net, graph, opts);
  const formatted = await formatLpnetSafely(text, `${net.name}.lpnet`);
  return formatted.ok ? formatted.formatted : text;
}
