import type { Graph } from '../ir/graph.js';
import { F32, packedBytes, type NumberType } from '../numeric/number-type.js';
import { sizeOf } from '../numeric/tensor.js';
import type { BackwardPlan } from './autodiff.js';

/**
 * Memory planning: which transient tensors can share a buffer. Every tensor of a step (inputs,
 * activations, quantized parameter copies; for training also gradients and the values backward
 * reads) gets a live interval on a timeline, and a greedy allocator hands out buffers:
 *
 *   timeline   inference: 0..N-1, one tick per node. training: forward 0..N-1, then one tick per
 *              backward step, then one tick for the optimizer update (parameter gradients are
 *              read there).
 *   birth      an input at tick 0; a value at its producer's tick; a gradient at the first step
 *              that writes it (a loss seed at the first backward tick).
 *   death      the last tick that reads it: forward consumers, the backward step of any node that
 *              reads or writes it (a backward step reads its node's inputs and outputs), the
 *              backward step of its producer for a gradient, the end for graph outputs, losses
 *              and parameter gradients.
 *   fused      in training, a fused node with an epilogue also keeps its anchor's own result
 *              (`<node>.pre`, in the epilogue's input type) from its forward to its backward tick.
 *
 * At each tick the tensors born then are placed first, each in the smallest free buffer large
 * enough (best fit); when none is large enough the largest free buffer is grown, and only when
 * none is free a new buffer is made; then the tensors whose last tick this is free their buffer.
 * So a node's outputs never share a buffer with its inputs. Bytes are as stored: packedBytes of
 * the number type (fixed-point packed 4 or 2 per word, f32 and i32 4 bytes; gradients f32).
 * Parameters persist across steps and are reported apart (`paramBytes`), not planned.
 */
export interface PlannedTensor {
  id: string;
  kind: 'input' | 'activation' | 'derived' | 'saved' | 'gradient';
  bytes: number;
  birth: number;
  death: number;
  buffer: number;
}

export interface MemoryPlan {
  mode: 'inference' | 'training';
  ticks: number;
  tensors: PlannedTensor[];
  /** Byte size of each buffer, indexed by PlannedTensor.buffer. */
  buffers: number[];
  /** Bytes of all buffers: what a backend allocates for one step. */
  peakBytes: number;
  /** The most bytes alive at one tick: a lower bound for any assignment. */
  peakLiveBytes: number;
  /** Every tensor in its own buffer, for comparison. */
  sumBytes: number;
  /** Parameters: f32 masters, and as stored for inference (packed to their quantized type). */
  paramBytes: { master: number; stored: number };
}

export interface Interval {
  id: string;
  kind: PlannedTensor['kind'];
  bytes: number;
  birth: number;
  death: number;
}

function bytesOf(dtype: NumberType, shape: number[]): number {
  return packedBytes(dtype, sizeOf(shape));
}

export function planMemory(g: Graph, backward?: BackwardPlan): MemoryPlan {
  const n = g.nodes.length;
  const stepsTick = new Map<string, number>(); // node id -> its backward tick
  backward?.steps.forEach((s, i) => stepsTick.set(s.node, n + i));
  const end = backward ? n + backward.steps.length : Math.max(n - 1, 0); // the last tick
  const external = new Set([...g.outputs.map((o) => o.value), ...g.losses.map((l) => l.value)]);

  const intervals = new Map<string, Interval>();
  const touch = (id: string, kind: Interval['kind'], bytes: number, tick: number) => {
    const iv = intervals.get(id);
    if (iv) {
      iv.birth = Math.min(iv.birth, tick);
      iv.death = Math.max(iv.death, tick);
    } else intervals.set(id, { id, kind, bytes, birth: tick, death: tick });
  };
  const valueKind = (id: string): Interval['kind'] | undefined => {
    const v = g.values.get(id);
    if (!v || v.role === 'param') return undefined;
    return v.role === 'input' ? 'input' : v.derivedFrom !== undefined ? 'derived' : 'activation';
  };
  const touchValue = (id: string, tick: number) => {
    const kind = valueKind(id);
    if (kind) touch(id, kind, bytesOf(g.values.get(id)!.type.dtype, g.values.get(id)!.type.shape), tick);
  };

  for (const id of g.inputs) touchValue(id, 0);
  g.nodes.forEach((node, t) => {
    for (const id of node.inputs) touchValue(id, t);
    for (const id of node.outputs) touchValue(id, t);
    const bt = stepsTick.get(node.id);
    if (bt === undefined) return;
    for (const id of [...node.inputs, ...node.outputs]) touchValue(id, bt);
    if (node.epilogue?.length) {
      const out = g.values.get(node.outputs[0]);
      const pre = node.epilogue[0].inType ?? F32;
      if (out) {
        touch(`${node.id}.pre`, 'saved', bytesOf(pre, out.type.shape), t);
        touch(`${node.id}.pre`, 'saved', 0, bt);
      }
    }
  });
  for (const id of external) if (intervals.has(id)) touch(id, 'activation', 0, end);

  if (backward) {
    const gradBytes = (gid: string) => bytesOf(F32, backward.gradients.get(gid)?.shape ?? []);
    for (const s of backward.seeds) touch(s.grad, 'gradient', gradBytes(s.grad), n);
    backward.steps.forEach((s, i) => {
      const t = n + i;
      for (const gid of s.gradOutputs) if (gid) touch(gid, 'gradient', gradBytes(gid), t);
      for (const gid of [...s.gradInputs, ...s.gradParams]) if (gid) touch(gid, 'gradient', gradBytes(gid), t);
    });
    for (const gid of backward.paramGrads.values()) touch(gid, 'gradient', gradBytes(gid), end);
  }

  const plan = allocate([...intervals.values()], end + 1);
  let master = 0;
  let stored = 0;
  for (const id of g.params) {
    const v = g.values.get(id)!;
    master += bytesOf(F32, v.type.shape);
    stored += bytesOf(storedType(g, id) ?? v.type.dtype, v.type.shape);
  }
  return { mode: backward ? 'training' : 'inference', ticks: end + 1, ...plan, paramBytes: { master, stored } };
}

/** The type a parameter is stored in for inference: its quantized copy's or quantizer's type. */
export function storedType(g: Graph, paramId: string): NumberType | undefined {
  for (const v of g.values.values()) if (v.derivedFrom === paramId) return v.type.dtype;
  for (const node of g.nodes) for (const q of node.paramQuantizers ?? []) if (q.param === paramId) return q.type;
  return undefined;
}

/** The greedy best-fit assignment of the header comment, over ticks 0..ticks-1. */
export function allocate(intervals: Interval[], ticks: number): Pick<MemoryPlan, 'tensors' | 'buffers' | 'peakBytes' | 'peakLiveBytes' | 'sumBytes'> {
  // Deterministic order: by birth, then larger first (they are hardest to place), then id.
  const order = [...intervals].sort((a, b) => a.birth - b.birth || b.bytes - a.bytes || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const buffers: number[] = [];
  const free = new Set<number>();
  const tensors: PlannedTensor[] = [];
  const dying = new Map<number, PlannedTensor[]>();
  let next = 0;
  let peakLiveBytes = 0;
  let live = 0;
  for (let t = 0; t < ticks; t++) {
    while (next < order.length && order[next].birth === t) {
      const iv = order[next++];
      const buffer = pickBuffer(buffers, free, iv.bytes);
      free.delete(buffer);
      const placed: PlannedTensor = { ...iv, buffer };
      tensors.push(placed);
      live += iv.bytes;
      const list = dying.get(iv.death);
      if (list) list.push(placed);
      else dying.set(iv.death, [placed]);
    }
    peakLiveBytes = Math.max(peakLiveBytes, live);
    for (const d of dying.get(t) ?? []) {
      free.add(d.buffer);
      live -= d.bytes;
    }
  }
  const peakBytes = buffers.reduce((a, b) => a + b, 0);
  const sumBytes = intervals.reduce((a, iv) => a + iv.bytes, 0);
  return { tensors, buffers, peakBytes, peakLiveBytes, sumBytes };
}

/** Best fit among free buffers; else grow the largest free one; else a new buffer. */
function pickBuffer(buffers: number[], free: Set<number>, bytes: number): number {
  let best = -1;
  let largest = -1;
  for (const b of free) {
    if (buffers[b] >= bytes && (best < 0 || buffers[b] < buffers[best] || (buffers[b] === buffers[best] && b < best))) best = b;
    if (largest < 0 || buffers[b] > buffers[largest] || (buffers[b] === buffers[largest] && b < largest)) largest = b;
  }
  if (best >= 0) return best;
  if (largest >= 0) {
    buffers[largest] = bytes;
    return largest;
  }
  buffers.push(bytes);
  return buffers.length - 1;
}
