/**
 * Registry-driven gradient coverage (issue 3, "Gradient checks"): every op the registry marks
 * differentiable must have at least one central finite-difference case below, so registering a
 * new differentiable op without one fails here. The cases are data: shapes and attributes like the
 * per-op tests, with small random inputs built from a per-case seed.
 *
 * `quantize` is exempt from finite differences: its forward is piecewise constant, while its
 * backward is the straight-through estimator (identity, or `ste: clipped`), so the two can never
 * agree. Its STE behaviour is asserted directly at the end of this file instead.
 *
 * Tolerance: gradCheck's defaults, |analytic - numeric| <= 1e-3 + 1e-2 |numeric| with h = 1e-2
 * (see test/helpers/gradcheck.ts), on f32 forward paths.
 */
import { describe, expect, it } from 'vitest';
import type { Attrs } from '../../src/ir/graph.js';
import type { CpuContext, OpDef } from '../../src/ops/op-def.js';
import { allOps, getOp } from '../../src/ops/registry.js';
import { fixed, OVERFLOW_MODES, type FixedType } from '../../src/numeric/number-type.js';
import { rngUniform } from '../../src/numeric/rng.js';
import { tensorFrom, type Tensor } from '../../src/numeric/tensor.js';
import { gradCheck, testRandom } from '../helpers/gradcheck.js';
import { backward, values } from '../helpers/run-op.js';

/** How one input or parameter tensor of a case is filled. */
type TensorSpec =
  /** Uniform in [-scale, scale) (scale 1 by default). */
  | { shape: number[]; scale?: number }
  /** Uniform in [lo, hi): variances, scale factors. */
  | { shape: number[]; range: [number, number] }
  /** Uniform in [-1, 1) but never within `margin` of 0 (relu's kink). */
  | { shape: number[]; awayFromZero: number }
  /**
   * Pairwise distinct across ALL `distinct` tensors of the case, at least 0.05 apart: a step of
   * h = 1e-2 can never change which element wins a max (max_pool, eltwise max).
   */
  | { shape: number[]; distinct: true }
  /** Fixed values (class labels). */
  | { shape: number[]; values: number[] };

interface CoverageCase {
  name: string;
  inputs: TensorSpec[];
  params?: TensorSpec[];
  attrs: Attrs;
  ctx?: Partial<CpuContext>;
  /** Data inputs to differentiate (default all): labels are not differentiable. */
  checkInputs?: number[];
}

/** Ops whose backward is deliberately not the derivative of their forward, with the reason. */
const FINITE_DIFFERENCE_EXEMPT: Record<string, string> = {
  quantize: 'straight-through estimator: the forward is piecewise constant, the backward is identity or clipped',
};

const CASES: Record<string, CoverageCase[]> = {
  conv: [
    { name: 'plain 3x3 with bias', inputs: [{ shape: [2, 3, 5, 5] }], params: [{ shape: [4, 3, 3, 3] }, { shape: [4] }], attrs: { filters: 4, kernel: 3 } },
    {
      name: 'without bias (bias_term: false)',
      inputs: [{ shape: [1, 2, 6, 5] }],
      params: [{ shape: [3, 2, 3, 2] }],
      attrs: { filters: 3, kernel: [3, 2], pad: 1, bias_term: false },
    },
    {
      name: 'groups + dilation + stride + pad on odd sizes',
      inputs: [{ shape: [1, 4, 9, 7] }],
      params: [{ shape: [6, 2, 3, 3] }, { shape: [6] }],
      attrs: { filters: 6, kernel: 3, group: 2, dilation: 2, stride: 2, pad: 1 },
    },
    {
      name: 'per-axis groups, dilation, stride and pad, no bias',
      inputs: [{ shape: [2, 6, 7, 9] }],
      params: [{ shape: [3, 2, 3, 2] }],
      attrs: { filters: 3, kernel: [3, 2], group: 3, dilation: [1, 3], stride: [2, 3], pad: [2, 1], bias_term: false },
    },
  ],
  dense: [
    { name: 'axis 1 over NCHW', inputs: [{ shape: [3, 2, 3, 1] }], params: [{ shape: [4, 6] }, { shape: [4] }], attrs: { units: 4 } },
    { name: 'axis 2', inputs: [{ shape: [2, 3, 5] }], params: [{ shape: [3, 5] }, { shape: [3] }], attrs: { units: 3, axis: 2 } },
    { name: 'transposed with bias', inputs: [{ shape: [3, 7] }], params: [{ shape: [7, 5] }, { shape: [5] }], attrs: { units: 5, transpose: true } },
    {
      name: 'transposed without bias',
      inputs: [{ shape: [2, 2, 3] }],
      params: [{ shape: [6, 4] }],
      attrs: { units: 4, transpose: true, bias_term: false },
    },
  ],
  max_pool: [
    { name: 'kernel 2 stride 2, no ties', inputs: [{ shape: [2, 2, 4, 4], distinct: true }], attrs: { kernel: 2, stride: 2 } },
    { name: 'overlapping, ceil rule, pad 1', inputs: [{ shape: [1, 2, 6, 5], distinct: true }], attrs: { kernel: 3, stride: 2, pad: 1 } },
    { name: 'odd size, ceil edge windows', inputs: [{ shape: [1, 1, 7, 7], distinct: true }], attrs: { kernel: 2, stride: 2 } },
    { name: 'floor mode', inputs: [{ shape: [1, 2, 7, 5], distinct: true }], attrs: { kernel: 3, stride: 2, ceil_mode: false } },
    { name: 'global', inputs: [{ shape: [2, 3, 3, 4], distinct: true }], attrs: { global: true } },
  ],
  avg_pool: [
    { name: 'kernel 2 stride 2', inputs: [{ shape: [2, 2, 4, 4], distinct: true }], attrs: { kernel: 2, stride: 2 } },
    { name: 'pad 1, ceil edge beyond the padding', inputs: [{ shape: [1, 2, 6, 6], distinct: true }], attrs: { kernel: 3, stride: 2, pad: 1 } },
    { name: 'odd sizes, floor mode', inputs: [{ shape: [1, 1, 7, 5], distinct: true }], attrs: { kernel: 3, stride: 2, ceil_mode: false } },
    { name: 'global', inputs: [{ shape: [2, 3, 3, 4], distinct: true }], attrs: { global: true } },
  ],
  lrn: [
    { name: 'local_size 3', inputs: [{ shape: [2, 4, 2, 3], scale: 2 }], attrs: { local_size: 3, alpha: 0.5, beta: 0.75, k: 1 } },
    { name: 'window wider than the channels, rank 2', inputs: [{ shape: [3, 3], scale: 2 }], attrs: { local_size: 5, alpha: 1, beta: 0.75, k: 2 } },
  ],
  batch_norm: [
    {
      name: 'training: batch statistics (stored blobs get no gradient)',
      inputs: [{ shape: [3, 2, 2, 3] }],
      params: [{ shape: [2] }, { shape: [2], range: [0.5, 2] }, { shape: [1], values: [1] }],
      attrs: {},
      ctx: { training: true },
    },
    {
      name: 'stored statistics (use_global_stats: true), blobs included',
      inputs: [{ shape: [2, 3, 2, 2] }],
      params: [{ shape: [3] }, { shape: [3], range: [1, 3] }, { shape: [1], values: [2] }],
      attrs: { use_global_stats: true },
    },
    {
      name: 'inference: stored statistics by default',
      inputs: [{ shape: [2, 2, 3] }],
      params: [{ shape: [2] }, { shape: [2], range: [0.5, 1.5] }, { shape: [1], values: [1.5] }],
      attrs: { eps: 1e-3 },
      ctx: { training: false },
    },
  ],
  scale: [
    { name: 'gamma only', inputs: [{ shape: [2, 3, 2, 3] }], params: [{ shape: [3] }], attrs: {} },
    { name: 'gamma and beta along the last axis', inputs: [{ shape: [2, 3, 4] }], params: [{ shape: [4] }, { shape: [4] }], attrs: { axis: -1, bias_term: true } },
  ],
  relu: [
    { name: 'plain', inputs: [{ shape: [2, 3, 5], awayFromZero: 0.05 }], attrs: { negative_slope: 0 } },
    { name: 'leaky', inputs: [{ shape: [2, 3, 5], awayFromZero: 0.05 }], attrs: { negative_slope: 0.2 } },
  ],
  tanh: [{ name: 'random', inputs: [{ shape: [3, 7], scale: 2 }], attrs: {} }],
  sigmoid: [{ name: 'random', inputs: [{ shape: [2, 3, 3], scale: 3 }], attrs: {} }],
  softmax: [
    { name: 'channels of NCHW', inputs: [{ shape: [2, 3, 2, 3], scale: 2 }], attrs: { axis: 1 } },
    { name: 'last axis', inputs: [{ shape: [2, 3, 4], scale: 2 }], attrs: { axis: -1 } },
  ],
  add: [
    { name: 'two inputs', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }], attrs: {} },
    { name: 'three inputs', inputs: [{ shape: [2, 3, 3] }, { shape: [2, 3, 3] }, { shape: [2, 3, 3] }], attrs: {} },
  ],
  eltwise: [
    { name: 'weighted sum', inputs: [{ shape: [2, 3, 3] }, { shape: [2, 3, 3] }, { shape: [2, 3, 3] }], attrs: { operation: 'sum', coeffs: [0.5, -2, 1.5] } },
    { name: 'product', inputs: [{ shape: [2, 3, 3] }, { shape: [2, 3, 3] }, { shape: [2, 3, 3] }], attrs: { operation: 'prod' } },
    {
      name: 'max without ties',
      inputs: [
        { shape: [2, 5], distinct: true },
        { shape: [2, 5], distinct: true },
        { shape: [2, 5], distinct: true },
      ],
      attrs: { operation: 'max' },
    },
  ],
  concat: [
    { name: 'channels', inputs: [{ shape: [2, 1, 2, 3] }, { shape: [2, 3, 2, 3] }, { shape: [2, 2, 2, 3] }], attrs: { axis: 1 } },
    { name: 'last axis', inputs: [{ shape: [3, 2] }, { shape: [3, 5] }], attrs: { axis: -1 } },
  ],
  flatten: [{ name: 'axis 1 to the end', inputs: [{ shape: [2, 3, 2, 2] }], attrs: { axis: 1, end_axis: -1 } }],
  reshape: [{ name: '0 and -1', inputs: [{ shape: [2, 3, 2] }], attrs: { shape: [0, -1] } }],
  dropout: [
    { name: 'training (fixed mask)', inputs: [{ shape: [3, 5] }], attrs: { ratio: 0.5 }, ctx: { training: true, seed: 4, step: 2, stream: 6 } },
    { name: 'inference (identity)', inputs: [{ shape: [3, 5] }], attrs: { ratio: 0.3 }, ctx: { training: false } },
  ],
  softmax_cross_entropy: [
    { name: '[N, C] logits', inputs: [{ shape: [4, 5], scale: 2 }, { shape: [4], values: [0, 4, 2, 2] }], attrs: {}, checkInputs: [0] },
    {
      name: 'NCHW logits with an ignored label',
      inputs: [{ shape: [2, 3, 2, 2], scale: 2 }, { shape: [2, 2, 2], values: [0, 1, 2, 1, 2, 2, 0, 9] }],
      attrs: { ignore_label: 9 },
      checkInputs: [0],
    },
  ],
};

/** Fills a case's tensors from one seed; all `distinct` tensors share one shuffled pool of values. */
function buildTensors(specs: TensorSpec[], seed: number): Tensor[] {
  const rand = testRandom(seed);
  const distinctCount = specs.reduce((n, s) => n + ('distinct' in s ? sizeOf(s.shape) : 0), 0);
  const pool = Array.from({ length: distinctCount }, (_, i) => Math.fround((i - distinctCount / 2) * 0.05));
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(((rand() + 1) / 2) * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  let taken = 0;
  return specs.map((s) => {
    const n = sizeOf(s.shape);
    if ('values' in s) return tensorFrom(s.shape, s.values);
    if ('distinct' in s) {
      taken += n;
      return tensorFrom(s.shape, pool.slice(taken - n, taken));
    }
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rand();
      if ('range' in s) data[i] = Math.fround(s.range[0] + ((r + 1) / 2) * (s.range[1] - s.range[0]));
      else if ('awayFromZero' in s) data[i] = Math.fround(Math.abs(r) < s.awayFromZero ? Math.sign(r || 1) * (s.awayFromZero + 0.1) : r);
      else data[i] = Math.fround(r * (s.scale ?? 1));
    }
    return { shape: [...s.shape], data };
  });
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function seedOf(opName: string, caseName: string): number {
  let h = 17;
  for (const ch of `${opName}/${caseName}`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return h;
}

function registeredOp(name: string): OpDef {
  const op = getOp(name);
  if (!op) throw new Error(`gradient case for '${name}', which the registry does not know`);
  return op;
}

describe('gradient-check coverage of the registry', () => {
  const differentiable = allOps().filter((op) => op.differentiable);

  it('has at least one finite-difference case for every differentiable op (quantize: STE, below)', () => {
    const missing = differentiable
      .map((op) => op.name)
      .filter((name) => !(name in FINITE_DIFFERENCE_EXEMPT) && (CASES[name]?.length ?? 0) === 0);
    expect(missing).toEqual([]);
  });

  it('has no stale entries: every case and exemption names a registered differentiable op with a backward', () => {
    const names = new Set(differentiable.map((op) => op.name));
    const stale = [...Object.keys(CASES), ...Object.keys(FINITE_DIFFERENCE_EXEMPT)].filter((name) => !names.has(name));
    expect(stale).toEqual([]);
    const noBackward = differentiable.filter((op) => op.cpu.backward === undefined).map((op) => op.name);
    expect(noBackward).toEqual([]);
    for (const name of Object.keys(FINITE_DIFFERENCE_EXEMPT)) expect(CASES[name]).toBeUndefined();
  });

  for (const [opName, cases] of Object.entries(CASES)) {
    describe(opName, () => {
      for (const c of cases) {
        it(`backward matches central finite differences: ${c.name}`, () => {
          const tensors = buildTensors([...c.inputs, ...(c.params ?? [])], seedOf(opName, c.name));
          const failures = gradCheck({
            op: registeredOp(opName),
            inputs: tensors.slice(0, c.inputs.length),
            params: tensors.slice(c.inputs.length),
            attrs: c.attrs,
            ctx: c.ctx,
            checkInputs: c.checkInputs,
          });
          expect(failures).toEqual([]);
        });
      }
    });
  }
});

describe('quantize: straight-through estimator (exempt from finite differences)', () => {
  const quantize = registeredOp('quantize');
  const withOverflow = (t: FixedType, overflow: FixedType['overflow']): FixedType => ({ ...t, overflow });

  /** Code of x with nearest (half away from zero), written independently of src/numeric/quantize.ts. */
  const nearestCode = (x: number, f: number) => {
    const y = Math.fround(x) * 2 ** f;
    return Math.sign(y) * Math.floor(Math.abs(y) + 0.5);
  };

  /** Whether code k leaves the type's range (for wrap: whether it wrapped). */
  const outOfRange = (k: number, t: FixedType) => {
    const w = t.intBits + t.fracBits;
    const kmax = 2 ** (w - 1) - 1;
    const kmin = t.overflow === 'saturate_symmetric' ? -kmax : -(2 ** (w - 1));
    return k < kmin || k > kmax;
  };

  it('is exempt and nothing else is', () => {
    expect(Object.keys(FINITE_DIFFERENCE_EXEMPT)).toEqual(['quantize']);
    expect(quantize.differentiable).toBe(true);
  });

  it('identity: passes the gradient unchanged everywhere, saturated, NaN and infinite inputs included', () => {
    const x = tensorFrom([8], [0.3, 3.875, -4.125, 100, -100, NaN, Infinity, -Infinity]);
    const dy = tensorFrom([8], [1, -2, 3, -4, 5, -6, 7, -8]);
    for (const overflow of OVERFLOW_MODES) {
      for (const round of ['nearest', 'stochastic'] as const) {
        const g = backward(quantize, [x], dy, { to: fixed(3, 2, round, overflow) }, { ctx: { training: true, seed: 2, step: 1, stream: 3 } });
        expect(values(g.inputs[0])).toEqual([1, -2, 3, -4, 5, -6, 7, -8]);
        expect(g.params).toEqual([]);
      }
    }
  });

  it('clipped: zero exactly where the code saturated (or wrapped), by hand on fixed<3, 2> nearest', () => {
    // codes (y = 4x): 3.75 -> 15, 3.8 -> 15.2 -> 15, 3.875 -> 15.5 -> 16, -3.875 -> -15.5 -> -16,
    // -4 -> -16, -4.125 -> -16.5 -> -17, 0.3 -> 1.2 -> 1; infinities always saturate.
    const x = tensorFrom([9], [3.75, 3.8, 3.875, -3.875, -4, -4.125, 0.3, Infinity, -Infinity]);
    const dy = tensorFrom([9], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const want: Record<string, number[]> = {
      saturate_symmetric: [1, 2, 0, 0, 0, 0, 7, 0, 0], // codes -15 .. 15
      saturate: [1, 2, 0, 4, 5, 0, 7, 0, 0], // codes -16 .. 15
      wrap: [1, 2, 0, 4, 5, 0, 7, 0, 0], // 16 and -17 wrap; -16 fits
    };
    for (const overflow of OVERFLOW_MODES) {
      const g = backward(quantize, [x], dy, { to: fixed(3, 2, 'nearest', overflow), ste: 'clipped' });
      expect(values(g.inputs[0])).toEqual(want[overflow]);
    }
  });

  it('clipped: NaN inputs get no gradient either (the implementation counts them with saturation)', () => {
    const g = backward(quantize, [tensorFrom([2], [NaN, 0.5])], tensorFrom([2], [3, 4]), { to: fixed(4, 4), ste: 'clipped' });
    expect(values(g.inputs[0])).toEqual([0, 4]);
  });

  it('clipped: on random inputs, the mask is exactly "code out of range" in every overflow mode', () => {
    const rand = testRandom(77);
    const n = 400;
    const x = tensorFrom([n], Array.from({ length: n }, () => Math.fround(rand() * 6)));
    const dy = tensorFrom([n], Array.from({ length: n }, (_, i) => i + 1));
    const base = fixed(3, 2);
    for (const overflow of OVERFLOW_MODES) {
      const t = withOverflow(base, overflow);
      const g = backward(quantize, [x], dy, { to: t, ste: 'clipped' });
      const want = Array.from(x.data, (v, i) => (outOfRange(nearestCode(v, 2), t) ? 0 : i + 1));
      expect(values(g.inputs[0])).toEqual(want);
      expect(want.some((v) => v === 0) && want.some((v) => v !== 0)).toBe(true);
    }
  });

  it('clipped with stochastic rounding in training: saturated exactly where floor(y) + (u < frac) is out of range', () => {
    const rand = testRandom(78);
    const n = 300;
    // near the top and bottom of fixed<3, 2, saturate> (codes -16 .. 15), where rounding up or down decides
    const x = tensorFrom([n], Array.from({ length: n }, (_, i) => Math.fround((i % 2 === 0 ? 3.75 : -4) + rand() * 0.25)));
    const dy = tensorFrom([n], new Array<number>(n).fill(1));
    const t = fixed(3, 2, 'stochastic', 'saturate');
    const ctx = { training: true, seed: 5, step: 4, stream: 8 };
    const g = backward(quantize, [x], dy, { to: t, ste: 'clipped' }, { ctx });
    const want = Array.from(x.data, (v, i) => {
      const y = Math.fround(v) * 4;
      const k = Math.floor(y) + (rngUniform(5, 4, 8, i) < y - Math.floor(y) ? 1 : 0);
      return outOfRange(k, t) ? 0 : 1;
    });
    expect(values(g.inputs[0])).toEqual(want);
    expect(want.filter((v) => v === 0).length).toBeGreaterThan(10);
  });
});
