import type { Graph, ParamTransform } from '../ir/graph.js';
import type { Tensor } from '../numeric/tensor.js';
import { FOLD_BATCH_NORM } from './fold-batch-norm.js';

/**
 * Computes the parameters a planned graph needs from the parameters a weights file stores
 * (Graph.paramTransforms, docs/ir.md). A loader reads the stored tensors by their original ids
 * (`c1.weights`, `bn1.mean`, ...), calls applyParamTransforms, and gets every parameter of the
 * planned graph (`c1.weights.folded`, ...). Results are f32 masters, like every parameter.
 */
export interface ParamTransformResult {
  /** Every parameter of the graph, by id: stored ones passed through, transformed ones computed. */
  params: Map<string, Tensor>;
  /** Stored parameter ids the transforms or the graph need but `stored` lacks. */
  missing: string[];
}

export function applyParamTransforms(g: Graph, stored: ReadonlyMap<string, Tensor>): ParamTransformResult {
  const params = new Map<string, Tensor>();
  const missing: string[] = [];
  const written = new Set<string>();
  for (const t of g.paramTransforms ?? []) {
    const absent = Object.values(t.reads)
      .map((v) => v.id)
      .filter((id) => !stored.has(id));
    if (absent.length) {
      missing.push(...absent);
      continue;
    }
    const read = (role: string): Tensor | undefined => (t.reads[role] ? stored.get(t.reads[role].id) : undefined);
    const out = runTransform(t, read);
    for (const [role, id] of Object.entries(t.writes)) {
      const tensor = out[role];
      if (!tensor) throw new Error(`internal: transform ${t.kind} produced no '${role}'`);
      params.set(id, tensor);
      written.add(id);
    }
  }
  for (const id of g.params) {
    if (written.has(id)) continue;
    const tensor = stored.get(id);
    if (tensor) params.set(id, tensor);
    else if (!missing.includes(id)) missing.push(id);
  }
  return { params, missing };
}

function runTransform(t: ParamTransform, read: (role: string) => Tensor | undefined): Record<string, Tensor> {
  if (t.kind === FOLD_BATCH_NORM) return foldBatchNormTensors(t, read);
  throw new Error(`internal: unknown parameter transform '${t.kind}'`);
}

/** The arithmetic of fold-batch-norm.ts's header comment, in f64, rounded to f32 at the end. */
export function foldBatchNormTensors(t: ParamTransform, read: (role: string) => Tensor | undefined): { weights: Tensor; bias: Tensor } {
  const w = read('weights');
  if (!w) throw new Error('internal: fold_batch_norm without weights');
  const outAxis = typeof t.attrs.out_axis === 'number' ? t.attrs.out_axis : 0;
  const eps = typeof t.attrs.eps === 'number' ? t.attrs.eps : 1e-5;
  const channels = w.shape[outAxis];
  const bias = read('bias');
  const mean = read('mean');
  const variance = read('variance');
  const factorBlob = read('scale_factor');
  const gamma = read('gamma');
  const beta = read('beta');

  const s = factorBlob ? factorBlob.data[0] : 1;
  const factor = s === 0 ? 0 : 1 / s;
  const a = new Float64Array(channels);
  const shift = new Float64Array(channels); // b' = b * a + shift
  for (let c = 0; c < channels; c++) {
    const g = gamma ? gamma.data[c] : 1;
    const inv = mean && variance ? 1 / Math.sqrt(variance.data[c] * factor + eps) : 1;
    a[c] = g * inv;
    const m = mean ? mean.data[c] * factor : 0;
    shift[c] = -m * a[c] + (beta ? beta.data[c] : 0);
  }

  const wOut = new Float64Array(w.data.length);
  // Output channel of flat index i: axis 0 -> i / (size / channels); last axis -> i % channels.
  const inner = w.data.length / channels;
  const lastAxis = outAxis === w.shape.length - 1 && outAxis !== 0;
  for (let i = 0; i < w.data.length; i++) {
    const c = lastAxis ? i % channels : Math.floor(i / inner);
    wOut[i] = Math.fround(w.data[i] * a[c]);
  }
  const bOut = new Float64Array(channels);
  for (let c = 0; c < channels; c++) bOut[c] = Math.fround((bias ? bias.data[c] : 0) * a[c] + shift[c]);
  return { weights: { shape: [...w.shape], data: wOut }, bias: { shape: [channels], data: bOut } };
}
