import type { Graph } from '../../ir/graph.js';
import { formatNumberType } from '../../numeric/number-type.js';
import type { Tensor } from '../../numeric/tensor.js';

/**
 * How `lpc run` shows results: each output's type and shape, its first values, and for class
 * probabilities (a softmax over axis 1 of an [N, C] tensor) the five most likely classes of each
 * batch item; losses as one number. `--out` gets every value as JSON.
 */

const FIRST_VALUES = 8;
const TOP_K = 5;

/** Six significant digits without trailing zeros; exact fixed-point values stay short. */
export function formatValue(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** Whether a value holds class probabilities: produced by softmax over axis 1 of an [N, C] tensor. */
export function isClassProbabilities(graph: Graph, valueId: string): boolean {
  const v = graph.values.get(valueId);
  const producer = graph.nodes.find((n) => n.outputs.includes(valueId));
  if (!v || !producer || v.type.shape.length !== 2) return false;
  const last = producer.epilogue?.[producer.epilogue.length - 1];
  const op = last ? last.op : producer.op;
  const axis = last ? last.attrs.axis : producer.attrs.axis;
  return op === 'softmax' && (axis === undefined || axis === 1);
}

/** Indices of the k largest entries of row `row` (ties: the lower index first). */
export function topK(t: Tensor, row: number, k: number): { index: number; value: number }[] {
  const cols = t.shape[1];
  const entries = Array.from({ length: cols }, (_, c) => ({ index: c, value: t.data[row * cols + c] }));
  entries.sort((a, b) => b.value - a.value || a.index - b.index);
  return entries.slice(0, Math.min(k, cols));
}

export function describeOutputs(graph: Graph, outputs: ReadonlyMap<string, Tensor>, losses: ReadonlyMap<string, Tensor>): string[] {
  const lines: string[] = [];
  for (const o of graph.outputs) {
    const t = outputs.get(o.name);
    const v = graph.values.get(o.value);
    if (!t || !v) continue;
    lines.push(`output ${o.name}: ${formatNumberType(v.type.dtype)}[${t.shape.join(', ')}]`);
    const first = Array.from(t.data.subarray(0, FIRST_VALUES), formatValue).join(' ');
    const more = t.data.length > FIRST_VALUES ? ` ... (${t.data.length.toLocaleString('en-US')} values)` : '';
    lines.push(`  values: ${first}${more}`);
    if (isClassProbabilities(graph, o.value)) {
      for (let row = 0; row < t.shape[0]; row++) {
        const best = topK(t, row, TOP_K).map((e) => `${e.index} (${formatValue(e.value)})`);
        lines.push(`  item ${row} top-${Math.min(TOP_K, t.shape[1])}: ${best.join(', ')}`);
      }
    }
  }
  for (const l of graph.losses) {
    const t = losses.get(l.name);
    if (t) lines.push(`loss ${l.name}: ${formatValue(t.data[0])}`);
  }
  return lines;
}

/** Per-layer GPU times of a webgpu run, in layer order after the total. */
export function describeTimings(timings: readonly { node: string; ms: number }[], wallMs: number): string[] {
  const gpu = timings.reduce((a, t) => a + t.ms, 0);
  const lines = [`timing: ${formatValue(gpu)} ms on the GPU in ${timings.length} layers, ${formatValue(wallMs)} ms wall clock for the run`];
  const width = Math.max(...timings.map((t) => t.node.length), 5);
  for (const t of timings) lines.push(`  ${t.node.padEnd(width)}  ${t.ms.toFixed(3).padStart(10)} ms`);
  return lines;
}

export interface RunRecord {
  net: string;
  netParams: Graph['netParams'];
  backend: 'cpu' | 'webgpu';
  seed: number;
  weights: string;
  randomInputs: string[];
}

/** Every output and loss with shape, type and all values, as JSON text (non-finite values as strings). */
export function outputsJson(graph: Graph, outputs: ReadonlyMap<string, Tensor>, losses: ReadonlyMap<string, Tensor>, record: RunRecord): string {
  const entry = (valueId: string, t: Tensor) => ({
    shape: t.shape,
    type: formatNumberType(graph.values.get(valueId)?.type.dtype ?? { kind: 'f32' }),
    values: Array.from(t.data, (x) => (Number.isFinite(x) ? x : String(x))),
  });
  const json = {
    ...record,
    outputs: Object.fromEntries(graph.outputs.filter((o) => outputs.has(o.name)).map((o) => [o.name, entry(o.value, outputs.get(o.name)!)])),
    losses: Object.fromEntries(graph.losses.filter((l) => losses.has(l.name)).map((l) => [l.name, entry(l.value, losses.get(l.name)!)])),
  };
  // One line per top-level field keeps big outputs compact and the file still readable.
  const fields = Object.entries(json).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${fields.join(',\n')}\n}\n`;
}
