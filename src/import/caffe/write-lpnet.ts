import { formatLpnetSafely } from '../../format/format.js';
import type { Graph } from '../../ir/graph.js';
import { formatNumberType, isFixed, sameNumberType, type FixedType, type NumberType } from '../../numeric/number-type.js';
import { callText, comment, formatNumber } from '../lpnet/lpnet-text.js';
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

function callTextOf(n: ImportedNode, aliases: TypeAliases): string {
  return callText(n, (t) => aliases.typeText(t));
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
    const call = callTextOf(n, aliases);
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
