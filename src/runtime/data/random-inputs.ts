import type { Graph, Value } from '../../ir/graph.js';
import { uniformStream } from '../../numeric/rng.js';
import { sizeOf, type Tensor } from '../../numeric/tensor.js';
import { getOp } from '../../ops/registry.js';
import { inputStream } from '../../ir/streams.js';
import { toInputTensor } from './input-tensor.js';

/**
 * Random data for net inputs the user gave no file for, reproducible for a seed (draws from the
 * counter-based generator, step 0, stream inputStream(m) for the m-th input):
 * - f32 and fixed-point inputs: uniform on [-1, 1) (quantized to a fixed type);
 * - i32 inputs: whole numbers uniform on [0, n), where n is the class count when the input is
 *   the label of a loss or metric (the channel dimension of its first input), else 2.
 */
export function randomInput(graph: Graph, input: Value, seed: number): Tensor {
  const m = graph.inputs.indexOf(input.id);
  const draw = uniformStream(seed, 0, inputStream(m < 0 ? 0 : m));
  const count = sizeOf(input.type.shape);
  const values = new Float64Array(count);
  if (input.type.dtype.kind === 'i32') {
    const n = labelClassCount(graph, input.id) ?? 2;
    for (let i = 0; i < count; i++) values[i] = Math.floor(draw(i) * n);
  } else {
    for (let i = 0; i < count; i++) values[i] = 2 * draw(i) - 1;
  }
  const t = toInputTensor(values, input, 'random data');
  // Random values always fit their input's type, so no diagnostic can arise here.
  return t.tensor ?? { shape: [...input.type.shape], data: values };
}

/** The class count of a label input: the channel count of the logits of the first loss or metric reading it. */
export function labelClassCount(graph: Graph, inputId: string): number | undefined {
  for (const n of graph.nodes) {
    const at = n.inputs.indexOf(inputId);
    if (at <= 0 || !getOp(n.op)?.isLoss) continue;
    const logits = graph.values.get(n.inputs[0]);
    const classes = logits?.type.shape[1];
    if (classes !== undefined && classes > 0) return classes;
  }
  return undefined;
}
