import type { Graph } from '../../ir/graph.js';
import { fillTensor } from '../../numeric/fillers.js';
import type { Tensor } from '../../numeric/tensor.js';
import { paramStream } from '../../ir/streams.js';
import { storedParams } from '../weights/stored-params.js';

/**
 * Initial master weights from each parameter's filler (Caffe's weight_filler / bias_filler).
 * Deterministic: parameter `id` draws from stream paramStream(id) under `seed`, so the same seed
 * gives the same weights on any machine, and a parameter's values do not depend on which other
 * layers the net has. Covers every stored parameter (storedParams), including those that
 * batch-norm folding reads, so the result can be written to a weights file as is.
 */
export function initWeights(graph: Graph, seed: number): Map<string, Tensor> {
  const weights = new Map<string, Tensor>();
  for (const v of storedParams(graph)) {
    if (!v.param) continue;
    const shape = [...v.type.shape];
    weights.set(v.id, { shape, data: fillTensor(v.param.filler, shape, seed, paramStream(v.id)) });
  }
  return weights;
}
