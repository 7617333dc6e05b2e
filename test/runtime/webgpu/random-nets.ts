/**
 * Random small nets for the differential test of the WebGPU backend: DAGs of the registry's ops
 * (only those with a WGSL kernel in this build), random small shapes (odd sizes, 1s, stride 2,
 * padding, groups, dilation), random fixed-point types for outputs, weights and biases, random
 * weights. Types come from a small pool so that kernels repeat across nets and the pipeline cache
 * keeps the run short on a CPU adapter; shapes vary freely (they are uniforms in most kernels).
 */
import type { Attrs, DeclaredTypes, Graph } from '../../../src/ir/graph.js';
import { F32, fixed, type NumberType } from '../../../src/numeric/number-type.js';
import type { Tensor } from '../../../src/numeric/tensor.js';
import { getOp } from '../../../src/ops/registry.js';
import { GraphBuilder } from '../../helpers/graph-builder.js';

/**
 * Fixed-point types the nets use: 8- and 16-bit lanes, three rounding modes and the three
 * overflow modes between them (every mode is covered exhaustively by the quantizer's own parity
 * tests). Each new kernel costs about half a second to compile on a CPU adapter, and every type
 * multiplies the kernels, so the pool stays small.
 */
export const TYPE_POOL: readonly NumberType[] = [fixed(4, 4), fixed(6, 10, 'even', 'saturate'), fixed(3, 3, 'floor', 'wrap')];
/**
 * conv and dense have the largest kernels (seconds each to compile on a CPU adapter, where the
 * others take a fraction of one), and every combination of input, weight, bias and output type is
 * another kernel: so they draw from fewer types, and appear half as often as the other ops. Their
 * own parity tests cover the types and shapes exhaustively; here they meet the other ops.
 */
const PARAM_POOL: readonly NumberType[] = [fixed(2, 6)];
const GEMM_OUT_POOL: readonly NumberType[] = TYPE_POOL.slice(0, 2);
const GEMM_OPS = new Set(['conv', 'dense']);

type Rand = () => number;

const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const chance = (r: Rand, p: number) => r() < p;

interface Avail {
  id: string;
  shape: number[];
}

/** One op call the generator can make from the values available, or undefined when it does not fit them. */
type Maker = (r: Rand, b: GraphBuilder, pool: Avail[], id: string) => string | undefined;

/**
 * The activation type of the net being generated: like a real net, most declared outputs of one
 * net share a type (which also keeps the number of distinct kernels, and so the run time, down);
 * one in six declarations picks any type of the pool.
 */
let netType: NumberType = TYPE_POOL[0];
const activationType = (r: Rand): NumberType => (chance(r, 1 / 6) ? pick(r, TYPE_POOL) : netType);
const declared = (r: Rand, p: number): DeclaredTypes => (chance(r, p) ? { output: activationType(r) } : {});
const rank4 = (pool: Avail[]) => pool.filter((v) => v.shape.length === 4);

const MAKERS: Record<string, Maker> = {
  relu: (r, b, pool, id) => b.op(id, 'relu', [pick(r, pool).id], chance(r, 0.2) ? { negative_slope: 0.25 } : {}, declared(r, 0.5)),
  tanh: (r, b, pool, id) => b.op(id, 'tanh', [pick(r, pool).id], {}, declared(r, 0.4)),
  sigmoid: (r, b, pool, id) => b.op(id, 'sigmoid', [pick(r, pool).id], {}, declared(r, 0.4)),
  quantize: (r, b, pool, id) => b.op(id, 'quantize', [pick(r, pool).id], { to: activationType(r) }),
  max_pool: (r, b, pool, id) => pooling(r, b, pool, id, 'max_pool'),
  avg_pool: (r, b, pool, id) => pooling(r, b, pool, id, 'avg_pool'),
  add: (r, b, pool, id) => {
    const x = pick(r, pool);
    const same = pool.filter((v) => v.shape.join() === x.shape.join());
    return b.op(id, 'add', [x.id, pick(r, same).id], {}, declared(r, 0.4));
  },
  eltwise: (r, b, pool, id) => {
    const x = pick(r, pool);
    const same = pool.filter((v) => v.shape.join() === x.shape.join());
    const operation = pick(r, ['sum', 'prod', 'max']);
    const attrs: Attrs = operation === 'sum' && chance(r, 0.5) ? { operation, coeffs: [0.5, -1.25] } : { operation };
    return b.op(id, 'eltwise', [x.id, pick(r, same).id], attrs, declared(r, 0.4));
  },
  concat: (r, b, pool, id) => {
    const xs = rank4(pool);
    if (xs.length === 0) return undefined;
    const x = pick(r, xs);
    const fit = xs.filter((v) => v.shape[0] === x.shape[0] && v.shape[2] === x.shape[2] && v.shape[3] === x.shape[3]);
    return b.op(id, 'concat', [x.id, pick(r, fit).id], { axis: 1 });
  },
  flatten: (r, b, pool, id) => b.op(id, 'flatten', [pick(r, rank4(pool).length ? rank4(pool) : pool).id]),
  reshape: (r, b, pool, id) => {
    const x = pick(r, pool);
    return b.op(id, 'reshape', [x.id], { shape: [0, -1] });
  },
  softmax: (r, b, pool, id) => b.op(id, 'softmax', [pick(r, pool).id], {}, declared(r, 0.3)),
  lrn: (r, b, pool, id) => {
    const xs = rank4(pool);
    if (xs.length === 0) return undefined;
    return b.op(id, 'lrn', [pick(r, xs).id], { local_size: pick(r, [1, 3, 5]), alpha: pick(r, [1, 0.5]), beta: 0.75, k: pick(r, [1, 2]) }, declared(r, 0.4));
  },
  batch_norm: (r, b, pool, id) => {
    const xs = rank4(pool);
    if (xs.length === 0) return undefined;
    return b.op(id, 'batch_norm', [pick(r, xs).id], { use_global_stats: true }, declared(r, 0.4));
  },
  scale: (r, b, pool, id) => {
    const xs = rank4(pool);
    if (xs.length === 0) return undefined;
    return b.op(id, 'scale', [pick(r, xs).id], { bias_term: chance(r, 0.5) }, declared(r, 0.4));
  },
  conv: (r, b, pool, id) => {
    const xs = rank4(pool);
    if (xs.length === 0) return undefined;
    const x = pick(r, xs);
    const c = x.shape[1];
    const group = c % 2 === 0 && chance(r, 0.3) ? 2 : 1;
    const k = [int(r, 1, 3), int(r, 1, 3)];
    const attrs = {
      filters: group * int(r, 1, 3),
      kernel: k,
      stride: [int(r, 1, 2), int(r, 1, 2)],
      pad: [int(r, 0, k[0] - 1), int(r, 0, k[1] - 1)],
      dilation: chance(r, 0.2) ? [2, 2] : [1, 1],
      group,
      bias_term: chance(r, 0.8),
    };
    return b.op(id, 'conv', [x.id], attrs, paramTypes(r));
  },
  dense: (r, b, pool, id) => b.op(id, 'dense', [pick(r, pool).id], { units: int(r, 1, 6), transpose: chance(r, 0.3), bias_term: chance(r, 0.8) }, paramTypes(r)),
};

function paramTypes(r: Rand): DeclaredTypes {
  const t: DeclaredTypes = {};
  if (chance(r, 0.7)) t.weights = pick(r, PARAM_POOL);
  if (chance(r, 0.15)) t.bias = pick(r, PARAM_POOL);
  if (chance(r, 0.5)) t.output = GEMM_OUT_POOL.includes(netType) ? netType : pick(r, GEMM_OUT_POOL);
  return t;
}

function pooling(r: Rand, b: GraphBuilder, pool: Avail[], id: string, op: string): string | undefined {
  const xs = rank4(pool);
  if (xs.length === 0) return undefined;
  const x = pick(r, xs);
  if (chance(r, 0.15)) return b.op(id, op, [x.id], { global: true }, declared(r, 0.4));
  const k = [int(r, 1, 3), int(r, 1, 3)];
  const attrs = { kernel: k, stride: [int(r, 1, 2), int(r, 1, 2)], pad: [int(r, 0, k[0] - 1), int(r, 0, k[1] - 1)], ceil_mode: chance(r, 0.7) };
  return b.op(id, op, [x.id], attrs, declared(r, 0.4));
}

/** Ops the generator may use: those it knows that have a WGSL kernel in this build. */
export function availableOps(): string[] {
  return Object.keys(MAKERS).filter((name) => getOp(name)?.wgsl !== undefined);
}

export interface RandomNet {
  graph: Graph;
  weights: Map<string, Tensor>;
  inputs: Map<string, Tensor>;
}

/** A random net of 1 to 5 nodes over one input, with its weights and input data. */
export function randomNet(r: Rand, index: number, ops: readonly string[]): RandomNet {
  for (;;) {
    const b = new GraphBuilder(`Random${index}`);
    netType = pick(r, TYPE_POOL);
    const shape = [int(r, 1, 2), int(r, 1, 4), int(r, 1, 7), int(r, 1, 7)];
    const inType = chance(r, 0.8) ? F32 : pick(r, TYPE_POOL);
    const pool: Avail[] = [{ id: b.input('x', shape, inType), shape }];
    const nodes = int(r, 1, 5);
    try {
      for (let k = 0; k < nodes; k++) {
        const id = `n${k}`;
        let op = pick(r, ops);
        if (GEMM_OPS.has(op) && chance(r, 0.5)) op = pick(r, ops); // half as often
        const made = MAKERS[op](r, b, pool, id);
        if (made) pool.push({ id: made, shape: b.g.values.get(made)!.type.shape });
      }
    } catch {
      continue; // a shape rule refused the random attributes: draw another net
    }
    if (pool.length === 1) continue;
    const last = pool[pool.length - 1].id;
    b.output('y', last);
    for (const v of pool.slice(1, -1)) if (chance(r, 0.3)) b.output(`o_${v.id}`, v.id);
    const graph = b.build();
    const weights = new Map<string, Tensor>();
    for (const id of graph.params) {
      const v = graph.values.get(id)!;
      const n = v.type.shape.reduce((a, d) => a * d, 1);
      const slot = v.param?.slot;
      const data = Float64Array.from({ length: n }, () => {
        const u = Math.fround(2 * r() - 1);
        return slot === 'variance' ? Math.fround(Math.abs(u) + 0.25) : slot === 'scale_factor' ? 1 : u;
      });
      weights.set(id, { shape: [...v.type.shape], data });
    }
    const scale = pick(r, [1, 4]);
    const inputs = new Map([['x', { shape, data: Float64Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => Math.fround(scale * (2 * r() - 1))) }]]);
    if (inType.kind === 'fixed') {
      const s = 2 ** inType.fracBits;
      const x = inputs.get('x')!;
      const lim = 2 ** (inType.intBits + inType.fracBits - 1) - 1;
      x.data = x.data.map((v) => Math.max(-lim, Math.min(lim, Math.round(v * s))) / s);
    }
    return { graph, weights, inputs };
  }
}
