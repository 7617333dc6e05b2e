import type { Graph, Node, Value } from '../../ir/graph.js';
import { paramQuantizerStream } from '../../ir/streams.js';
import { isFixed, type FixedType, type NumberType } from '../../numeric/number-type.js';
import { quantizeTensor } from '../../numeric/quantize.js';
import { uniformStream } from '../../numeric/rng.js';
import { masterParam, paramInputs } from '../../passes/op-info.js';

/**
 * Stored low-precision weights (`master_weights false`, docs/training.md "Stored low-precision
 * weights"): training without f32 master copies, as a device whose weight memory holds only
 * fixed-point codes must train. Every parameter with a declared fixed type (`weights:` /
 * `bias:`) is kept in that type: after the solver computes the new value w' in f32 (as always),
 * the stored value becomes Q_T(w') with T's rounding mode, and the next forward reads it as is
 * (its quantizer, deterministic or stochastic, maps a value already on T's grid to itself).
 *
 * This is where the classic result shows (Gupta et al., 2015): with `round: nearest` an update
 * smaller than half an LSB is lost every step, so training stalls, while `round: stochastic`
 * keeps it in expectation. With master weights (the default) both learn, because the master
 * accumulates the small updates.
 *
 * The helpers here are host-side and backend-neutral: which parameters are stored in which type
 * and with which random stream, and the two roundings (on setParams, and after each update). The
 * CPU backend calls them directly; a GPU backend uses `storedWeights` to configure its update
 * kernels (the rounding itself must then run on the device, with the same draws).
 */

export interface StoredWeight {
  /** The parameter id (one of graph.params). */
  id: string;
  /** The declared type it is stored in. */
  type: FixedType;
  /**
   * The stream of its stochastic rounding after an update: paramQuantizerStream(i, p) of the
   * first node (index i in graph.nodes) that reads it, or its quantized copy, as its p-th
   * parameter input. For a node that rounds its own parameters (fusion's ParamQuantizer) that is
   * the stream its forward quantizer draws from.
   */
  stream: number;
}

/**
 * The parameters of a (pipelined) graph that have a declared fixed type, by id, in graph order of
 * their first reader. The type is the one the forward rounds the parameter to: the node's
 * ParamQuantizer (after fusion), the type of the quantized copy it reads (after quantize
 * insertion), or the node's declared `weights:` / `bias:` type (a graph without the pipeline).
 * Parameters without one (f32 layers, batch-norm statistics) are absent: they stay f32.
 */
export function storedWeights(graph: Graph): Map<string, StoredWeight> {
  const out = new Map<string, StoredWeight>();
  graph.nodes.forEach((node, index) => {
    paramInputs(graph, node).forEach((id, position) => {
      const master = masterParam(graph, id);
      if (!master?.param || out.has(master.id)) return;
      const type = declaredStorageType(graph, node, id, master);
      if (type && isFixed(type)) out.set(master.id, { id: master.id, type, stream: paramQuantizerStream(index, position) });
    });
  });
  return out;
}

function declaredStorageType(graph: Graph, node: Node, inputId: string, master: Value): NumberType | undefined {
  const folded = node.paramQuantizers?.find((q) => q.param === inputId);
  if (folded) return folded.type;
  const read = graph.values.get(inputId);
  if (read && read.derivedFrom !== undefined) return read.type.dtype;
  const slot = master.param?.slot;
  return slot === 'weights' || slot === 'bias' ? node.types[slot] : undefined;
}

/**
 * A value given to the backend (fillers, a weights file, a checkpoint) as it is stored: rounded
 * to the type with its own rounding mode, `stochastic` as `nearest` (there is no step to key a
 * draw with; it is the inference rule). Values already in the type, as a checkpoint of a
 * stored-weights run holds them, come back unchanged, so resuming is exact.
 */
export function roundForStorage(data: Float64Array, type: FixedType): Float64Array {
  return toF32(quantizeTensor(data, type));
}

/**
 * The stored value after an update: Q_T(w') with T's rounding mode; a stochastic type draws
 * u = rngUniform(seed, step, w.stream, i) for element i (step: the training step that computed
 * w'), so the run is exactly reproducible and a resumed run rounds as an uninterrupted one.
 */
export function roundUpdate(updated: Float64Array, w: StoredWeight, seed: number, step: number): Float64Array {
  const draw = w.type.round === 'stochastic' ? uniformStream(seed, step, w.stream) : undefined;
  return toF32(quantizeTensor(updated, w.type, draw));
}

/**
 * Parameters cross the backend interface as f32 values. A code of a type up to 24 bits wide is
 * exact in f32; a wider code (rare for stored weights) is held as its nearest f32 value, which is
 * what a device computing in f32 reads.
 */
function toF32(values: Float64Array): Float64Array {
  for (let i = 0; i < values.length; i++) values[i] = Math.fround(values[i]);
  return values;
}
