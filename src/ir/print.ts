import type { Span } from '../diag/span.js';
import { formatNumberType, type NumberType } from '../numeric/number-type.js';
import type { AttrValue, Attrs, Filler, Graph, Node, ParamTransform, TensorType, Value } from './graph.js';

/**
 * The IR's text form, for `lpc compile --emit ir` and golden tests (format documented in
 * docs/ir.md). It is deterministic: attributes print in alphabetical order (so editing an op's
 * schema order does not churn goldens), and a source location prints as `# file:line` with the
 * file's base name and no column.
 */
export interface PrintOptions {
  /** Attributes for which this returns true are left out (e.g. those equal to the op's default). */
  hideAttr?: (op: string, name: string, value: AttrValue) => boolean;
  /** How a span's file prints; default: its base name. */
  spanFile?: (file: string) => string;
}

export function printGraph(g: Graph, opts: PrintOptions = {}): string {
  const lines: string[] = [];
  const params = Object.entries(g.netParams).map(([k, v]) => `${k}: ${formatScalar(v)}`);
  lines.push(`graph ${g.name}(${params.join(', ')})`);
  for (const id of g.inputs) {
    const v = g.values.get(id);
    lines.push(`  input %${id}: ${v ? formatTensorType(v.type) : '?'}${where(v?.span, opts)}`);
  }
  for (const id of g.params) {
    const v = g.values.get(id);
    lines.push(`  param %${id}: ${v ? `${formatTensorType(v.type)}${formatParamInfo(v)}` : '?'}`);
  }
  for (const n of g.nodes) lines.push(`  ${formatNode(g, n, opts)}`);
  for (const o of g.outputs) lines.push(`  output ${o.name} = %${o.value}`);
  for (const l of g.losses) lines.push(`  loss ${l.name} = %${l.value}`);
  for (const t of g.paramTransforms ?? []) lines.push(`  ${formatTransform(t)}`);
  if (g.train) {
    const t = g.train;
    const parts = [`optimizer ${t.optimizer.kind}${formatArgs(t.optimizer.args)}`, `schedule ${t.schedule.kind}${formatArgs(t.schedule.args)}`];
    if (t.batch !== undefined) parts.push(`batch ${t.batch}`);
    if (t.epochs !== undefined) parts.push(`epochs ${t.epochs}`);
    if (t.seed !== undefined) parts.push(`seed ${t.seed}`);
    for (const k of Object.keys(t.other).sort()) parts.push(`${k} ${formatScalar(t.other[k])}`);
    lines.push(`  train ${parts.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatTensorType(t: TensorType): string {
  return `${formatNumberType(t.dtype)}[${t.shape.join(', ')}]`;
}

/** One node: `%out: type = op(%in, ...) {attrs} suffixes  # file:line`. */
export function formatNode(g: Graph, n: Node, opts: PrintOptions = {}): string {
  const outs = n.outputs.map((o) => {
    const v = g.values.get(o);
    return `%${o}: ${v ? formatTensorType(v.type) : '?'}`;
  });
  let s = `${outs.join(', ')} = ${n.op}(${n.inputs.map((i) => `%${i}`).join(', ')})`;
  const attrs = formatAttrs(n.attrs, (name, value) => opts.hideAttr?.(n.op, name, value) ?? false);
  if (attrs) s += ` ${attrs}`;
  const declared: [string, NumberType | undefined][] = [
    ['weights', n.types.weights],
    ['bias', n.types.bias],
    ['acc', n.types.acc],
  ];
  for (const [slot, t] of declared) if (t) s += ` ${slot}: ${formatNumberType(t)}`;
  if (n.types.output) s += ` -> ${formatNumberType(n.types.output)}`;
  if (n.paramQuantizers?.length) {
    s += ` quantizes: [${n.paramQuantizers.map((q) => `%${q.param} -> ${formatNumberType(q.type)}`).join(', ')}]`;
  }
  if (n.epilogue?.length) {
    s += ` epilogue: [${n.epilogue
      .map((e) => {
        const a = formatAttrs(e.attrs, (name, value) => opts.hideAttr?.(e.op, name, value) ?? false);
        return a ? `${e.op} ${a}` : e.op;
      })
      .join(', ')}]`;
  }
  if (n.accumulator) s += ` accumulator: ${n.accumulator.kind}${n.accumulator.bound > 0 ? ` (bound ${n.accumulator.bound})` : ''}`;
  if (n.outputs.length !== 1 || n.outputs[0] !== n.id) s += ` node: ${n.id}`;
  return s + where(n.span, opts);
}

/** `{a: 1, b: [2, 3]}` in alphabetical order, or '' when nothing is shown. */
export function formatAttrs(attrs: Attrs, hide: (name: string, value: AttrValue) => boolean = () => false): string {
  const parts = Object.keys(attrs)
    .sort()
    .filter((k) => !hide(k, attrs[k]))
    .map((k) => `${k}: ${formatAttrValue(attrs[k])}`);
  return parts.length ? `{${parts.join(', ')}}` : '';
}

export function formatAttrValue(v: AttrValue): string {
  if (Array.isArray(v)) return `[${v.map((x) => formatScalar(x)).join(', ')}]`;
  if (typeof v === 'object') return formatNumberType(v);
  return formatScalar(v);
}

function formatScalar(v: number | boolean | string): string {
  if (typeof v === 'string') return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(v) ? v : JSON.stringify(v);
  return String(v);
}

function formatArgs(args: Record<string, number | number[] | boolean | string>): string {
  const keys = Object.keys(args).sort();
  return `(${keys.map((k) => `${k}: ${formatAttrValue(args[k])}`).join(', ')})`;
}

export function formatFiller(f: Filler): string {
  switch (f.kind) {
    case 'constant':
      return `constant(${f.value})`;
    case 'uniform':
      return `uniform(min: ${f.min}, max: ${f.max})`;
    case 'gaussian':
      return `gaussian(mean: ${f.mean}, std: ${f.std})`;
    default:
      return f.kind;
  }
}

function formatParamInfo(v: Value): string {
  const p = v.param;
  if (!p) return '';
  const parts = [`owner: ${p.owner}`, `slot: ${p.slot}`, `filler: ${formatFiller(p.filler)}`, `lr_mult: ${p.lrMult}`, `decay_mult: ${p.decayMult}`];
  if (!p.trainable) parts.push('trainable: false');
  return ` {${parts.join(', ')}}`;
}

function formatTransform(t: ParamTransform): string {
  const reads = Object.keys(t.reads)
    .sort()
    .map((k) => `${k}: %${t.reads[k].id}: ${formatTensorType(t.reads[k].type)}`);
  const writes = Object.keys(t.writes)
    .sort()
    .map((k) => `${k}: %${t.writes[k]}`);
  const attrs = formatAttrs(t.attrs);
  return `transform ${t.kind}(${reads.join(', ')}) -> (${writes.join(', ')})${attrs ? ` ${attrs}` : ''} from: [${t.from.join(', ')}]`;
}

function where(span: Span | undefined, opts: PrintOptions): string {
  if (!span) return '';
  const file = opts.spanFile ? opts.spanFile(span.file) : baseName(span.file);
  return `  # ${file}:${span.start.line}`;
}

function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}
