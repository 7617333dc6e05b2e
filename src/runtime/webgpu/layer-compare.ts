import type { Graph, Node } from '../../ir/graph.js';
import { nodeStream } from '../../ir/streams.js';
import { formatNumberType, isFixed, type FixedType, type NumberType } from '../../numeric/number-type.js';
import { rngUniform } from '../../numeric/rng.js';
import type { Tensor } from '../../numeric/tensor.js';
import { dataInputs, paramNumberType, QUANTIZE_OP } from '../../passes/op-info.js';
import { applyParamTransforms } from '../../passes/param-transforms.js';
import { runNode } from '../cpu/node-stages.js';
import type { RunOptions, Stage } from '../cpu/trace.js';

/**
 * Layer-by-layer comparison of a WebGPU run with the CPU reference, under the numerical contract
 * (SEMANTICS.md section 4, docs/numerics.md):
 *  - every node is recomputed on the CPU from the inputs the GPU gave it (its data inputs as read
 *    back, the same parameters), so each layer is judged on its own: a legitimate difference in
 *    one layer does not make every later layer look wrong, and the first divergence found is the
 *    first kernel that breaks the contract;
 *  - fixed-point and i32 results must have equal codes, except one code apart where the value
 *    the CPU rounded (the f32 value entering an output quantizer computed on an f32 path) lies
 *    within the tolerance of the rounding boundary between the two codes; the same boundary rule
 *    excuses f32 results computed after such a quantizer inside one fused node;
 *  - f32 results must agree within |gpu - cpu| <= 1e-5 * max(1, |cpu|) (NaN matches NaN);
 *  - the exact i32 path (an i32 accumulator with no f32 bias) is held to equal codes.
 */
export const TOLERANCE = 1e-5;

export interface LayerDivergence {
  /** Flat index of the element, and its index per dimension. */
  element: number;
  indices: number[];
  gpu: number;
  cpu: number;
  gpuCode?: number;
  cpuCode?: number;
  /** The f32 value the CPU rounded to get cpuCode, when the output quantizer ran on an f32 path. */
  preQuantization?: number;
  /** Which rule of the contract the element breaks. */
  rule: string;
}

export interface LayerReport {
  node: string;
  /** `conv+relu+quantize`. */
  fused: string;
  value: string;
  type: string;
  shape: number[];
  /** Largest |gpu - cpu| over the elements (layer-local: the CPU ran on the GPU's inputs). */
  maxAbsDiff: number;
  /** Largest code difference (fixed-point and i32 results). */
  maxCodeDiff?: number;
  /** Elements one code apart at a rounding boundary: allowed by the contract. */
  boundaryFlips: number;
  /** Largest |gpu - cpu| against the CPU's own end-to-end run (differences carried from earlier layers included). */
  endToEndMaxAbsDiff?: number;
  /** The first element breaking the contract, when one does. */
  divergence?: LayerDivergence;
}

export interface CompareOptions extends RunOptions {
  /** The CPU's own end-to-end values (runForward(...).values), to report carried differences. */
  endToEnd?: ReadonlyMap<string, Tensor>;
  /** Stop after the first layer that diverges (diff's default is to report every layer). */
  stopAtFirst?: boolean;
}

/**
 * What the layer-local comparison needs of the reference besides the GPU's values: the graph's
 * inputs and its parameters as f32 masters (stored parameters transformed, as the executors do).
 * No CPU forward pass is needed: each node is recomputed from the GPU's inputs.
 */
export function referenceValues(graph: Graph, weights: ReadonlyMap<string, Tensor>, inputs: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const needsTransform = (graph.paramTransforms?.length ?? 0) > 0 && graph.params.some((id) => !weights.has(id));
  const params = needsTransform ? applyParamTransforms(graph, weights).params : weights;
  const out = new Map<string, Tensor>();
  for (const id of graph.params) {
    const t = params.get(id);
    if (t) out.set(id, t);
  }
  for (const id of graph.inputs) {
    const t = inputs.get(id);
    if (t) out.set(id, t);
  }
  return out;
}

/**
 * Compares every node whose output the GPU run read back. `cpuValues` holds the inputs and
 * parameters (f32 masters, transforms applied) the CPU reference used; `gpuValues` the GPU's
 * values by value id (every node's output: capture 'all').
 */
export function compareLayers(graph: Graph, cpuValues: ReadonlyMap<string, Tensor>, gpuValues: ReadonlyMap<string, Tensor>, opts: CompareOptions): LayerReport[] {
  const reports: LayerReport[] = [];
  for (const [index, node] of graph.nodes.entries()) {
    const gpu = gpuValues.get(node.outputs[0]);
    if (!gpu) continue;
    const local = new Map(cpuValues);
    for (const id of dataInputs(graph, node)) {
      const g = gpuValues.get(id);
      if (g) local.set(id, g);
    }
    const trace = runNode(graph, node, index, local, opts);
    const report = compareNode(graph, node, index, trace.stages, gpu, opts);
    const e2e = opts.endToEnd?.get(node.outputs[0]);
    if (e2e) report.endToEndMaxAbsDiff = maxAbsDiff(gpu.data, e2e.data);
    reports.push(report);
    if (report.divergence && opts.stopAtFirst) break;
  }
  return reports;
}

function compareNode(graph: Graph, node: Node, index: number, stages: Stage[], gpu: Tensor, opts: RunOptions): LayerReport {
  const cpu = stages[stages.length - 1].output;
  const value = graph.values.get(node.outputs[0])!;
  const type = value.type.dtype;
  const report: LayerReport = {
    node: node.id,
    fused: [node.op, ...(node.epilogue ?? []).map((e) => e.op)].join('+'),
    value: value.id,
    type: formatNumberType(type),
    shape: [...value.type.shape],
    maxAbsDiff: maxAbsDiff(gpu.data, cpu.data),
    boundaryFlips: 0,
  };
  const boundary = boundaryTest(graph, node, index, stages, opts);
  const scale = type.kind === 'fixed' ? 2 ** type.fracBits : 1;
  if (type.kind !== 'f32') report.maxCodeDiff = 0;
  for (let i = 0; i < cpu.data.length; i++) {
    const a = gpu.data[i];
    const b = cpu.data[i];
    if (type.kind !== 'f32') {
      const ka = a * scale;
      const kb = b * scale;
      const dk = Math.abs(ka - kb);
      report.maxCodeDiff = Math.max(report.maxCodeDiff!, dk);
      if (dk === 0) continue;
      if (dk === 1 && boundary.final?.(i, Math.min(ka, kb))) {
        report.boundaryFlips++;
        continue;
      }
      report.divergence ??= divergence(i, value.type.shape, a, b, ka, kb, boundary.pre?.(i), dk === 1 ? 'codes one apart, away from a rounding boundary' : 'codes differ by more than one');
    } else {
      if (withinTolerance(a, b)) continue;
      if (boundary.anyQuantizer(i)) {
        report.boundaryFlips++;
        continue;
      }
      report.divergence ??= divergence(i, value.type.shape, a, b, undefined, undefined, undefined, `|gpu - cpu| > ${TOLERANCE} * max(1, |cpu|)`);
    }
  }
  return report;
}

export function withinTolerance(gpu: number, cpu: number): boolean {
  if (Number.isNaN(gpu) || Number.isNaN(cpu)) return Number.isNaN(gpu) && Number.isNaN(cpu);
  if (gpu === cpu) return true;
  return Math.abs(gpu - cpu) <= TOLERANCE * Math.max(1, Math.abs(cpu));
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) {
      if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) m = Infinity;
    } else m = Math.max(m, d);
  }
  return m;
}

function divergence(i: number, shape: number[], gpu: number, cpu: number, ka: number | undefined, kb: number | undefined, pre: number | undefined, rule: string): LayerDivergence {
  const indices: number[] = [];
  let rest = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    indices.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  const out: LayerDivergence = { element: i, indices, gpu, cpu, rule };
  if (ka !== undefined) out.gpuCode = ka;
  if (kb !== undefined) out.cpuCode = kb;
  if (pre !== undefined) out.preQuantization = pre;
  return out;
}

interface BoundaryTest {
  /** For the node's final quantizer on an f32 path: is element i's pre-value at the boundary above code lo? */
  final?: (i: number, lo: number) => boolean;
  /** The pre-quantization value of element i for the final quantizer. */
  pre?: (i: number) => number;
  /** Whether any quantize epilogue of the node saw element i's f32 input at a rounding boundary. */
  anyQuantizer(i: number): boolean;
}

/**
 * Where the contract allows a one-code difference: at a quantize stage (the node's epilogues, or
 * the enforcement the CPU adds) whose input came from an f32 computation, for elements whose input
 * lies within the tolerance of the boundary between two codes.
 */
function boundaryTest(graph: Graph, node: Node, index: number, stages: Stage[], opts: RunOptions): BoundaryTest {
  const exact = node.accumulator?.kind === 'i32' && paramNumberType(graph, node, 'bias')?.kind !== 'f32';
  const quantizers: { k: number; type: FixedType }[] = [];
  stages.forEach((s, k) => {
    const out = s.args.outType.dtype;
    const inType = s.args.inputTypes[0]?.dtype;
    if (k > 0 && s.op.name === QUANTIZE_OP && isFixed(out) && inType?.kind === 'f32' && !exact) quantizers.push({ k, type: out });
  });
  const near = (q: { k: number; type: FixedType }, i: number, lo?: number): boolean => {
    const v = stages[q.k - 1].output.data[i];
    const draw = opts.training && q.type.round === 'stochastic' ? rngUniform(opts.seed, opts.step, nodeStream(index), i) : undefined;
    const scaled = v * 2 ** q.type.fracBits;
    const candidates = lo !== undefined ? [lo] : [Math.floor(scaled) - 1, Math.floor(scaled), Math.floor(scaled) + 1];
    return candidates.some((c) => {
      const edge = boundaryAbove(c, q.type, draw) * 2 ** -q.type.fracBits;
      return Math.abs(v - edge) <= TOLERANCE * Math.max(1, Math.abs(v));
    });
  };
  const last = quantizers[quantizers.length - 1];
  const finalIsLast = last !== undefined && last.k === stages.length - 1;
  return {
    final: finalIsLast ? (i, lo) => near(last, i, lo) : undefined,
    pre: finalIsLast ? (i) => stages[last.k - 1].output.data[i] : undefined,
    anyQuantizer: (i) => quantizers.some((q) => near(q, i)),
  };
}

/** The scaled value y at which rounding moves from code `lo` to `lo + 1` (u: the stochastic draw). */
function boundaryAbove(lo: number, t: NumberType, u: number | undefined): number {
  if (t.kind !== 'fixed') return lo + 0.5;
  switch (t.round) {
    case 'floor':
      return lo + 1;
    case 'zero':
      return lo >= 0 ? lo + 1 : lo;
    case 'stochastic':
      return u === undefined ? lo + 0.5 : lo + u;
    default:
      return lo + 0.5;
  }
}
