import type { Graph, Node, TensorType } from '../ir/graph.js';
import { formatTensorType } from '../ir/print.js';
import { F32, formatNumberType, packedBytes, type NumberType } from '../numeric/number-type.js';
import { sizeOf } from '../numeric/tensor.js';
import type { FusionReport } from './fusion.js';
import { storedType, type MemoryPlan } from './memory-plan.js';
import { dataInputs, opOf, paramInputForSlot, paramNumberType, typesOf } from './op-info.js';

/**
 * `lpc compile --explain`: one row per node of the planned graph with its shapes, number types
 * (input, weights, bias, output), accumulator and bound, what was fused into it, its parameter
 * count and bytes as stored (packed to the quantized type), and its multiply-accumulates. The
 * data (explainGraph) and the aligned text (renderExplain) are separate so tools can use either.
 */
export interface ExplainRow {
  layer: string;
  op: string;
  /** What runs in this node after the op itself: `bias`, then the epilogue ops. */
  fused: string[];
  inputs: TensorType[];
  output: TensorType;
  weights?: NumberType;
  bias?: NumberType;
  accumulator?: Node['accumulator'];
  params: number;
  /** Parameter bytes as stored for inference (packed to the quantized type). */
  paramBytes: number;
  macs: number;
}

export interface Explanation {
  net: string;
  /** The leading dimension all graph inputs share (the batch), when they share one. */
  batch?: number;
  rows: ExplainRow[];
  totals: {
    layers: number;
    params: number;
    paramBytes: number;
    paramBytesF32: number;
    /** For the whole batch. */
    macs: number;
    /** macs / batch: what one image (one item of the batch) costs; present with `batch`. */
    macsPerItem?: number;
  };
}

export function explainGraph(g: Graph): Explanation {
  const rows = g.nodes.map((n) => explainNode(g, n));
  const owned = g.params.map((p) => g.values.get(p)!);
  const macs = rows.reduce((a, r) => a + r.macs, 0);
  const batch = sharedBatch(g);
  return {
    net: g.name,
    ...(batch !== undefined ? { batch } : {}),
    rows,
    totals: {
      layers: rows.length,
      params: rows.reduce((a, r) => a + r.params, 0),
      paramBytes: rows.reduce((a, r) => a + r.paramBytes, 0),
      paramBytesF32: owned.reduce((a, v) => a + packedBytes(F32, sizeOf(v.type.shape)), 0),
      macs,
      ...(batch !== undefined ? { macsPerItem: macs / batch } : {}),
    },
  };
}

/**
 * The batch size, read from the graph rather than from a net parameter named `batch` (a net may
 * call it anything): the first dimension of every input, when all inputs have one and it agrees.
 */
function sharedBatch(g: Graph): number | undefined {
  const leading = g.inputs.map((id) => g.values.get(id)?.type.shape[0]);
  const first = leading[0];
  if (first === undefined || first <= 0 || leading.some((d) => d !== first)) return undefined;
  return first;
}

function explainNode(g: Graph, n: Node): ExplainRow {
  const op = opOf(n);
  const inputs = typesOf(g, dataInputs(g, n));
  const output = g.values.get(n.outputs[0])?.type ?? { dtype: F32, shape: [] };
  let params = 0;
  let paramBytes = 0;
  for (const id of g.params) {
    const v = g.values.get(id)!;
    if (v.param?.owner !== n.id) continue;
    const count = sizeOf(v.type.shape);
    params += count;
    paramBytes += packedBytes(storedType(g, id) ?? v.type.dtype, count);
  }
  const fused = [...(paramInputForSlot(g, n, 'bias') !== undefined && op?.fusion === 'anchor' ? ['bias'] : []), ...(n.epilogue ?? []).map((e) => e.op)];
  return {
    layer: n.id,
    op: n.op,
    fused,
    inputs,
    output,
    weights: paramNumberType(g, n, 'weights'),
    bias: paramNumberType(g, n, 'bias'),
    accumulator: n.accumulator,
    params,
    paramBytes,
    macs: op?.macs ? op.macs(inputs, output.shape, n.attrs) : 0,
  };
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function renderTable(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatCount(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / (1024 * 1024)).toFixed(1)} MiB`;
}

function formatAccumulator(a: Node['accumulator']): string {
  if (!a) return '';
  return a.bound > 0 ? `${a.kind} (${formatCount(a.bound)})` : a.kind;
}

export function renderExplain(e: Explanation): string {
  const header = ['layer', 'op', 'input', 'output', 'weights', 'bias', 'accumulator', 'params', 'bytes', 'MACs'];
  const numeric = [false, false, false, false, false, false, false, true, true, true];
  const rows = e.rows.map((r) => [
    r.layer,
    [r.op, ...r.fused].join('+'),
    r.inputs.map(formatTensorType).join(', '),
    formatTensorType(r.output),
    r.weights ? formatNumberType(r.weights) : '',
    r.bias ? formatNumberType(r.bias) : '',
    formatAccumulator(r.accumulator),
    r.params ? formatCount(r.params) : '',
    r.paramBytes ? formatCount(r.paramBytes) : '',
    r.macs ? formatCount(r.macs) : '',
  ]);
  const t = e.totals;
  rows.push([`total (${t.layers} nodes)`, '', '', '', '', '', '', formatCount(t.params), formatCount(t.paramBytes), formatCount(t.macs)]);
  const notes = e.rows
    .filter((r) => r.accumulator?.kind === 'f32')
    .map((r) => `  ${r.layer}: f32 accumulation (${r.accumulator!.reason})`);
  const out = [`net ${e.net}`, renderTable(header, rows, numeric)];
  out.push(`parameters: ${formatBytes(t.paramBytes)} as stored, ${formatBytes(t.paramBytesF32)} as f32 masters`);
  if (e.batch !== undefined && t.macsPerItem !== undefined) {
    out.push(`MACs: ${formatCount(t.macs)} for a batch of ${e.batch}, ${formatCount(t.macsPerItem)} per item`);
  }
  if (notes.length) out.push('layers accumulating in f32:', ...notes);
  return `${out.join('\n')}\n`;
}

export function renderFusion(r: FusionReport): string {
  const lines = [`fusion: ${r.nodesBefore} nodes -> ${r.nodesAfter} nodes`];
  for (const f of r.fused) {
    const parts = [...(f.paramQuantizers.length ? [`quantizers ${f.paramQuantizers.join(', ')}`] : []), ...(f.epilogue.length ? [`epilogue ${f.epilogue.join('+')}`] : [])];
    lines.push(`  ${f.node}: ${parts.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderMemory(plans: MemoryPlan[]): string {
  const lines: string[] = [];
  for (const p of plans) {
    lines.push(
      `memory (${p.mode}): peak ${formatBytes(p.peakBytes)} in ${p.buffers.length} buffers ` +
        `(at most ${formatBytes(p.peakLiveBytes)} live at once; ${formatBytes(p.sumBytes)} without reuse)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
