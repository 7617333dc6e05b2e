import { formatLpnetSafely } from '../../format/format.js';
import type { Graph, Node, TrainConfig } from '../../ir/graph.js';
import { formatNumberType, type NumberType } from '../../numeric/number-type.js';
import { opNames } from '../../ops/registry.js';
import { dataInputs } from '../../passes/op-info.js';
import { Namer } from '../caffe/names.js';
import { callText, comment, formatNumber } from './lpnet-text.js';

/**
 * Writes a lowered IR graph back as a flat .lpnet net: one `input` per graph input, one binding
 * per node (blocks and repeats already expanded by lowering, nested calls as their own bindings),
 * `output`/`loss` markers, every declared type inline (`weights: fixed<2, 6>`, `-> fixed<4, 4>`),
 * the net's `batch` parameter where the graph's shapes follow it, and its train section. Lowering
 * the text gives the same graph again, with the node ids turned into identifiers (`logits/c1` ->
 * `logits_c1`; ids that are identifiers already stay): `names` says which.
 *
 * `lpc quantize` uses it to write the quantized net with one explicit type per layer, each with
 * the statistic that chose it in a comment before the binding.
 */

/** Where a net's `batch` parameter appears: its value, the input dimensions and int attributes that follow it. */
export interface BatchUses {
  value: number;
  /** Input id -> for each dimension, whether it is the batch. */
  inputDims: Map<string, boolean[]>;
  /** Node id -> attribute -> whether it (an int) or each entry (ints) is the batch. */
  attrs: Map<string, Map<string, boolean[]>>;
}

export interface GraphToLpnetOptions {
  /** Comment lines at the top of the file (without `#`). */
  header?: string[];
  /** Comment lines (without `#`) before the statement of a node or an input, by its graph id. */
  notes?: ReadonlyMap<string, readonly string[]>;
  /** Write `net NAME(batch: int = N)` and `batch` at these places; without it every size is literal. */
  batch?: BatchUses;
  /** Write the graph's train section (default true). */
  train?: boolean;
}

export interface WrittenNet {
  /** The .lpnet text before formatting. */
  text: string;
  /** Graph id of each input and node -> its identifier in the text. */
  names: Map<string, string>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Identifiers for every input and node: valid ids are kept, others sanitised, markers' names preferred. */
function nameValues(g: Graph): Map<string, string> {
  const reserved = new Set(opNames());
  const namer = new Namer(reserved);
  const names = new Map<string, string>();
  const all = [...g.inputs, ...g.nodes.map((n) => n.id)];
  const producerOf = new Map<string, string>();
  for (const n of g.nodes) for (const o of n.outputs) producerOf.set(o, n.id);
  // A node whose value is a marked output takes the marker's name.
  const preferred = new Map<string, string>();
  for (const m of [...g.outputs, ...g.losses]) {
    const p = producerOf.get(m.value);
    if (p !== undefined && !preferred.has(p)) preferred.set(p, m.name);
  }
  const wanted = (id: string) => preferred.get(id) ?? id;
  // Names that are identifiers already go first, so a sanitised one never takes them.
  for (const id of all) if (IDENTIFIER.test(wanted(id))) names.set(id, namer.fresh(wanted(id)));
  for (const id of all) if (!names.has(id)) names.set(id, namer.fresh(wanted(id)));
  return names;
}

function typeText(t: NumberType): string {
  return formatNumberType(t);
}

function shapeText(shape: readonly number[], batchDims: readonly boolean[] | undefined): string {
  return `[${shape.map((d, i) => (batchDims?.[i] ? 'batch' : String(d))).join(', ')}]`;
}

function attrOverride(node: Node, uses: BatchUses | undefined): ((name: string) => string | undefined) | undefined {
  const byAttr = uses?.attrs.get(node.id);
  if (!byAttr) return undefined;
  return (name) => {
    const mask = byAttr.get(name);
    const v = node.attrs[name];
    if (!mask) return undefined;
    if (typeof v === 'number') return mask[0] ? 'batch' : undefined;
    if (Array.isArray(v)) return `[${v.map((x, i) => (mask[i] ? 'batch' : formatNumber(x))).join(', ')}]`;
    return undefined;
  };
}

function argValue(v: number | number[] | boolean | string): string {
  if (Array.isArray(v)) return `[${v.map(formatNumber).join(', ')}]`;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  return IDENTIFIER.test(v) ? v : JSON.stringify(v);
}

function callSetting(key: string, kind: string, args: Record<string, number | number[] | boolean | string>): string {
  const list = Object.entries(args).map(([k, v]) => `${k}: ${argValue(v)}`);
  return `  ${key} ${kind}(${list.join(', ')})`;
}

/** The train section of a graph, as settings the checker reads back to the same TrainConfig. */
export function trainSectionText(netName: string, t: TrainConfig): string[] {
  const lines = [`train ${netName} {`, callSetting('optimizer', t.optimizer.kind, t.optimizer.args), callSetting('schedule', t.schedule.kind, t.schedule.args)];
  if (t.batch !== undefined) lines.push(`  batch ${t.batch}`);
  if (t.epochs !== undefined) lines.push(`  epochs ${t.epochs}`);
  if (t.seed !== undefined) lines.push(`  seed ${t.seed}`);
  for (const [k, v] of Object.entries(t.other)) lines.push(`  ${k} ${argValue(v)}`);
  lines.push('}');
  return lines;
}

export function graphToLpnet(g: Graph, opts: GraphToLpnetOptions = {}): WrittenNet {
  const names = nameValues(g);
  const ident = (id: string) => names.get(id) ?? id;
  const notesOf = (id: string) => (opts.notes?.get(id) ?? []).map((t) => `  ${comment(t)}`);
  const body: string[] = [];

  for (const id of g.inputs) {
    const v = g.values.get(id);
    if (!v) continue;
    body.push(...notesOf(id));
    body.push(`  input ${ident(id)}: ${typeText(v.type.dtype)}${shapeText(v.type.shape, opts.batch?.inputDims.get(id))}`);
  }
  body.push('');

  const producerOf = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) producerOf.set(o, n);
  const inline = new Map<string, 'output' | 'loss'>();
  const marksLater: string[] = [];
  for (const [marker, list] of [['output', g.outputs], ['loss', g.losses]] as const) {
    for (const m of list) {
      const p = producerOf.get(m.value);
      if (p && !inline.has(p.id) && ident(p.id) === m.name) inline.set(p.id, marker);
      else marksLater.push(`  ${marker} ${ident(p?.id ?? m.value)}`);
    }
  }

  for (const n of g.nodes) {
    const inputs = dataInputs(g, n).map((id) => ident(producerOf.get(id)?.id ?? id));
    const call = callText({ op: n.op, inputs, attrs: n.attrs, types: n.types }, typeText, attrOverride(n, opts.batch));
    const marker = inline.get(n.id);
    body.push(...notesOf(n.id));
    body.push(`  ${marker ? `${marker} ` : ''}${ident(n.id)} = ${call}`);
  }
  body.push(...marksLater);

  const params = opts.batch ? `(batch: int = ${opts.batch.value})` : '';
  const lines = [...(opts.header ?? []).map(comment), ...(opts.header?.length ? [''] : []), `net ${g.name}${params} {`, ...body, '}'];
  if (g.train && opts.train !== false) lines.push('', ...trainSectionText(g.name, g.train));
  lines.push('');
  return { text: lines.join('\n'), names };
}

/** The text in canonical form (the unformatted text when the formatter refuses it). */
export async function formatNetText(text: string, file: string): Promise<string> {
  const formatted = await formatLpnetSafely(text, file);
  return formatted.ok ? formatted.formatted : text;
}

/**
 * Where `batch` shows in a graph: compares the graph lowered with batch = b (`g`) and with
 * another batch b2 (`other`), both from the same source. A dimension or int attribute that is b
 * in one and b2 in the other follows the batch; anything else that differs cannot be written
 * with `batch` alone, and then the answer is undefined (write every size literally).
 */
export function findBatchUses(g: Graph, other: Graph, b: number, b2: number): BatchUses | undefined {
  if (g.inputs.length !== other.inputs.length || g.nodes.length !== other.nodes.length) return undefined;
  const uses: BatchUses = { value: b, inputDims: new Map(), attrs: new Map() };
  const mask = (x: readonly number[], y: readonly number[]): boolean[] | undefined => {
    if (x.length !== y.length) return undefined;
    const m = x.map((d, i) => d === b && y[i] === b2);
    return x.every((d, i) => m[i] || d === y[i]) ? m : undefined;
  };
  for (let i = 0; i < g.inputs.length; i++) {
    const a = g.values.get(g.inputs[i])?.type.shape;
    const c = other.values.get(other.inputs[i])?.type.shape;
    const m = a && c ? mask(a, c) : undefined;
    if (!m) return undefined;
    if (m.some(Boolean)) uses.inputDims.set(g.inputs[i], m);
  }
  for (let k = 0; k < g.nodes.length; k++) {
    const n = g.nodes[k];
    const o = other.nodes[k];
    if (n.op !== o.op) return undefined;
    for (const [name, v] of Object.entries(n.attrs)) {
      const w = o.attrs[name];
      if (typeof v === 'number' && typeof w === 'number') {
        const m = mask([v], [w]);
        if (!m) return undefined;
        if (m[0]) uses.attrs.set(n.id, (uses.attrs.get(n.id) ?? new Map()).set(name, m));
      } else if (Array.isArray(v) && Array.isArray(w)) {
        const m = mask(v, w);
        if (!m) return undefined;
        if (m.some(Boolean)) uses.attrs.set(n.id, (uses.attrs.get(n.id) ?? new Map()).set(name, m));
      }
    }
  }
  return uses;
}
