import type { Graph } from '../../ir/graph.js';
import { formatNumberType, type NumberType } from '../../numeric/number-type.js';

/**
 * What the generated module of a net exposes, worked out once from the planned graph and shared by
 * the TypeScript emitter (names, types and doc comments) and the bundle runtime (input checks,
 * padding of partial batches, which outputs a call returns):
 *
 *  - `infer(inputs)` takes the inputs that the label-free outputs need and returns those outputs.
 *    An output is label-free when no i32 input (a label: the language's nets take images and
 *    labels) reaches it; `probs = softmax(logits)` is, `top1 = accuracy(logits, label)` is not.
 *  - `evaluate(inputs)` takes every input and returns every output and loss; it is generated
 *    only when some output or loss needs more than `infer` takes.
 *  - `trainStep(batch)` exists when the net has a loss.
 *
 * A tensor is batched when the net has an integer parameter `batch` and the tensor's axis 0 has
 * that size. `infer` accepts fewer items than the batch along that axis when every tensor it
 * takes and returns is batched: the runtime pads with zeros and trims the outputs back.
 */
export interface TensorInterface {
  /** The name in the source (input name, output or loss name): the property name in TypeScript. */
  name: string;
  /** The value id in the planned graph. */
  value: string;
  /** Number type as spelled in the language: `f32`, `i32`, `fixed<4, 4>`. */
  type: string;
  shape: number[];
  batched: boolean;
  /** The JavaScript array the value travels in. */
  array: 'Float32Array' | 'Float64Array' | 'Int32Array';
}

export interface OutputInterface extends TensorInterface {
  /** Names of the inputs it depends on. */
  needs: string[];
}

export interface NetInterface {
  net: string;
  netParams: Record<string, number | boolean | string>;
  /** Items per call along axis 0 of batched tensors; undefined when the net has no `batch` parameter. */
  batch?: number;
  inputs: TensorInterface[];
  outputs: OutputInterface[];
  losses: OutputInterface[];
  /** Names of the inputs `infer` takes and the outputs it returns. */
  infer: { inputs: string[]; outputs: string[]; partialBatch: boolean };
  /** Whether `evaluate` is generated (some output or loss needs more than `infer` takes). */
  evaluate: boolean;
  /** Whether `trainStep` is generated. */
  train: boolean;
}

/** The typed array a value of this type travels in: codes of W <= 24 bits are exact in f32. */
export function arrayFor(t: NumberType): TensorInterface['array'] {
  if (t.kind === 'i32') return 'Int32Array';
  if (t.kind === 'fixed' && t.intBits + t.fracBits > 24) return 'Float64Array';
  return 'Float32Array';
}

/** The graph inputs each value depends on, by value id. */
export function inputDependencies(g: Graph): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  for (const id of g.inputs) deps.set(id, new Set([id]));
  for (const n of g.nodes) {
    const union = new Set<string>();
    for (const i of n.inputs) for (const d of deps.get(i) ?? []) union.add(d);
    for (const o of n.outputs) deps.set(o, union);
  }
  return deps;
}

export function netInterface(g: Graph): NetInterface {
  const batch = typeof g.netParams.batch === 'number' && Number.isInteger(g.netParams.batch) ? g.netParams.batch : undefined;
  const deps = inputDependencies(g);
  const tensor = (name: string, value: string): TensorInterface => {
    const v = g.values.get(value);
    if (!v) throw new Error(`internal: net ${g.name} names value '${value}', which the graph does not have`);
    return {
      name,
      value,
      type: formatNumberType(v.type.dtype),
      shape: [...v.type.shape],
      batched: batch !== undefined && v.type.shape.length > 0 && v.type.shape[0] === batch,
      array: arrayFor(v.type.dtype),
    };
  };
  const inputs = g.inputs.map((id) => tensor(id, id));
  const labels = new Set(inputs.filter((t) => t.type === 'i32').map((t) => t.value));
  const named = (list: Graph['outputs']) => list.map((o) => ({ ...tensor(o.name, o.value), needs: [...(deps.get(o.value) ?? [])].sort() }));
  const outputs = named(g.outputs);
  const losses = named(g.losses);
  const labelFree = outputs.filter((o) => o.needs.every((d) => !labels.has(d)));
  const inferOutputs = labelFree.length > 0 ? labelFree : outputs;
  const inferInputs = inputs.filter((t) => inferOutputs.some((o) => o.needs.includes(t.value))).map((t) => t.name);
  const returned = outputs.filter((o) => inferOutputs.includes(o));
  const taken = inputs.filter((t) => inferInputs.includes(t.name));
  const partialBatch = batch !== undefined && batch > 1 && returned.length > 0 && [...returned, ...taken].every((t) => t.batched);
  const everything = outputs.length + losses.length;
  return {
    net: g.name,
    netParams: { ...g.netParams },
    batch,
    inputs,
    outputs,
    losses,
    infer: { inputs: inferInputs, outputs: inferOutputs.map((o) => o.name), partialBatch },
    evaluate: everything > inferOutputs.length || inferInputs.length < inputs.length,
    train: g.losses.length > 0,
  };
}
