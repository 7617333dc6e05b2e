import type { Graph, Node, ParamTransform, Value } from '../ir/graph.js';
import { cloneGraph, cloneValue, consumersOf, externalValues, freshId } from '../ir/graph-util.js';
import { dataInputs, masterParam, opOf, paramInputForSlot, paramInputs } from './op-info.js';

/**
 * Batch-norm folding for inference (SEMANTICS.md section 5): a conv or dense followed by
 * batch_norm, by scale, or by both (each intermediate value read by the next node only) becomes
 * the conv alone with rewritten weights and bias:
 *
 *   m = mean * f, v = variance * f     f = 0 when scale_factor is 0, else 1 / scale_factor (Caffe)
 *   a = gamma / sqrt(v + eps)          gamma = 1 without scale; no batch_norm: a = gamma, m = 0
 *   W'[c, ...] = W[c, ...] * a[c]      b'[c] = (b[c] - m[c]) * a[c] + beta[c]
 *
 * Weights are not known at compile time, so the pass rewrites the graph and records a
 * ParamTransform (`fold_batch_norm`) that says how to compute the new parameters `c1.weights.folded`
 * and `c1.bias.folded` from the stored ones (`c1.weights`, `bn1.mean`, ...) when weights are
 * loaded: applyParamTransforms in param-transforms.ts. The new parameters have new ids, so a
 * loader that ignored the transform would fail loudly (missing weights) instead of running
 * unfolded weights. The pass runs before quantize insertion, so the declared `weights:` type
 * applies to the folded weights. Chains are left alone when folding would change the result:
 * a declared output type inside the chain (quantizing between conv and batch_norm), a
 * batch_norm using batch statistics at inference (`use_global_stats: false`), or a channel axis
 * other than 1.
 */
export const BATCH_NORM_OP = 'batch_norm';
export const SCALE_OP = 'scale';
export const FOLD_BATCH_NORM = 'fold_batch_norm';

interface Chain {
  anchor: Node;
  bn?: Node;
  scale?: Node;
  last: Node;
}

export function foldBatchNorm(input: Graph): Graph {
  const g = cloneGraph(input);
  const removed = new Set<string>();
  for (const n of g.nodes) {
    if (removed.has(n.id)) continue;
    const chain = findChain(g, n);
    if (!chain) continue;
    fold(g, chain);
    if (chain.bn) removed.add(chain.bn.id);
    if (chain.scale) removed.add(chain.scale.id);
  }
  g.nodes = g.nodes.filter((n) => !removed.has(n.id));
  return g;
}

/** The only node reading `n`'s single output, when that output is not handed out by the graph. */
function soleConsumer(g: Graph, n: Node, consumers: Map<string, string[]>, external: Set<string>): Node | undefined {
  if (n.outputs.length !== 1 || external.has(n.outputs[0]) || n.types.output) return undefined;
  const readers = consumers.get(n.outputs[0]) ?? [];
  if (readers.length !== 1) return undefined;
  const next = g.nodes.find((m) => m.id === readers[0]);
  if (!next || dataInputs(g, next).length !== 1 || dataInputs(g, next)[0] !== n.outputs[0]) return undefined;
  return next;
}

function axisIsChannel(n: Node): boolean {
  const axis = n.attrs.axis;
  return axis === undefined || axis === 1;
}

function findChain(g: Graph, anchor: Node): Chain | undefined {
  if (opOf(anchor)?.fusion !== 'anchor' || !axisIsChannel(anchor)) return undefined;
  const weights = paramInputForSlot(g, anchor, 'weights');
  const out = g.values.get(anchor.outputs[0] ?? '');
  if (!weights || g.values.get(weights)?.role !== 'param' || !out || out.type.shape.length < 2) return undefined;
  const channels = out.type.shape[1];
  const wShape = g.values.get(weights)!.type.shape;
  if (wShape[weightOutAxis(anchor, wShape)] !== channels) return undefined;

  const consumers = consumersOf(g);
  const external = externalValues(g);
  const chain: Chain = { anchor, last: anchor };
  let next = soleConsumer(g, anchor, consumers, external);
  if (next?.op === BATCH_NORM_OP && next.attrs.use_global_stats !== false && paramsAreStored(g, next)) {
    chain.bn = next;
    chain.last = next;
    next = soleConsumer(g, next, consumers, external);
  }
  if (next?.op === SCALE_OP && axisIsChannel(next) && paramsAreStored(g, next)) {
    chain.scale = next;
    chain.last = next;
  }
  return chain.last === anchor ? undefined : chain;
}

function paramsAreStored(g: Graph, n: Node): boolean {
  return paramInputs(g, n).every((id) => g.values.get(id)?.role === 'param');
}

/** Which axis of the weights indexes output channels: 0, or the last one for a transposed dense ([K, units]). */
export function weightOutAxis(anchor: Node, weightShape: number[]): number {
  return anchor.attrs.transpose === true ? weightShape.length - 1 : 0;
}

function fold(g: Graph, c: Chain): void {
  const { anchor, last } = c;
  const reads: Record<string, Value> = {};
  const take = (node: Node, slot: string, role: string) => {
    const id = paramInputForSlot(g, node, slot);
    const v = id === undefined ? undefined : masterParam(g, id);
    if (!v) return;
    reads[role] = cloneValue(v);
    g.values.delete(v.id);
  };
  const paramsBefore = g.params;
  const data = dataInputs(g, anchor); // before the parameters leave g.values
  const weights = g.values.get(paramInputForSlot(g, anchor, 'weights')!)!;
  const oldBias = paramInputForSlot(g, anchor, 'bias');
  const biasTemplate = oldBias === undefined ? undefined : g.values.get(oldBias);
  take(anchor, 'weights', 'weights');
  take(anchor, 'bias', 'bias');
  if (c.bn) for (const slot of ['mean', 'variance', 'scale_factor']) take(c.bn, slot, slot);
  if (c.scale) {
    take(c.scale, 'gamma', 'gamma');
    take(c.scale, 'beta', 'beta');
  }

  const taken = (id: string) => g.values.has(id) || g.nodes.some((n) => n.id === id);
  const channels = g.values.get(anchor.outputs[0])!.type.shape[1];
  const newWeights: Value = { ...cloneValue(weights), id: freshId(`${weights.id}.folded`, taken) };
  newWeights.param!.owner = anchor.id;
  g.values.set(newWeights.id, newWeights);
  const biasBase = biasTemplate?.id ?? `${anchor.id}.bias`;
  const newBias: Value = {
    id: freshId(`${biasBase}.folded`, taken),
    type: { dtype: biasTemplate?.type.dtype ?? weights.type.dtype, shape: [channels] },
    role: 'param',
    param: {
      slot: 'bias',
      owner: anchor.id,
      filler: { kind: 'constant', value: 0 },
      lrMult: biasTemplate?.param?.lrMult ?? 1,
      decayMult: biasTemplate?.param?.decayMult ?? 1,
      trainable: biasTemplate?.param?.trainable ?? true,
    },
    span: biasTemplate?.span ?? anchor.span,
  };
  g.values.set(newBias.id, newBias);
  // the folded pair takes the place of the conv's weights; the parameters read by the transform leave
  g.params = paramsBefore.flatMap((id) => (id === weights.id ? [newWeights.id, newBias.id] : g.values.has(id) ? [id] : []));

  // The anchor now reads its data inputs, the folded weights and the folded bias, and writes the
  // chain's last value under its own id, so consumers of that value are unchanged.
  anchor.inputs = [...data, newWeights.id, newBias.id];
  anchor.attrs = { ...anchor.attrs, bias_term: true };
  const finalOut = last.outputs[0];
  for (const n of [anchor, ...(c.bn && c.bn !== last ? [c.bn] : [])]) g.values.delete(n.outputs[0]);
  anchor.outputs = [finalOut];
  g.values.get(finalOut)!.producer = anchor.id;
  if (last.types.output) anchor.types.output = last.types.output;

  const transform: ParamTransform = {
    kind: FOLD_BATCH_NORM,
    reads,
    writes: { weights: newWeights.id, bias: newBias.id },
    attrs: { eps: typeof c.bn?.attrs.eps === 'number' ? c.bn.attrs.eps : 1e-5, out_axis: weightOutAxis(anchor, weights.type.shape) },
    from: [c.bn?.id, c.scale?.id].filter((x): x is string => x !== undefined),
  };
  g.paramTransforms = [...(g.paramTransforms ?? []), transform];
}
