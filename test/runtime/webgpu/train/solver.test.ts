/**
 * The WGSL solver kernels (src/runtime/webgpu/train/kernels/solver.ts) and the gradient norm
 * (kernels/step-checks.ts) against the CPU solver (src/runtime/train/cpu-solver.ts).
 *
 * The update is the same f32 operations in the same order, so the kernels agree with the reference
 * bit for bit unless the shader compiler contracts a multiply and an add into an fma; the contract
 * (docs/training.md) allows 1 ulp per operation then. Measured on lavapipe: bit-exact for sgd,
 * nesterov, adam and adagrad; in rmsprop's h = (1 - d) * (g * g) + d * h a multiply-add is
 * contracted: 13 of 1003 state values 1 ulp off, 2 weights 2 ulps. The tests allow 2 ulps on at
 * most 2% of the values (so a systematic error cannot pass). Stored
 * weights round the same w' with the same quantizer and draws, so their codes are compared exactly.
 * The clipping factor comes from a norm summed in another order (f32 partials, compensated) than
 * the reference's f64 sum: within 2e-6 relative.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fixed, F32, I32, type FixedType } from '../../../../src/numeric/number-type.js';
import { adamCorrection, gradientScale, updateParameter } from '../../../../src/runtime/train/cpu-solver.js';
import { SOLVER_KINDS, SOLVER_STATE_SLOTS, solverSpec, type SolverKind, type SolverSpec } from '../../../../src/runtime/train/solver-spec.js';
import { roundUpdate } from '../../../../src/runtime/train/stored-weights.js';
import { createTensor, readValues, readWords, tensorFromValues, type GpuTensor } from '../../../../src/runtime/webgpu/buffers.js';
import { CONTROL_NORM, CONTROL_OK, CONTROL_PARAMS, CONTROL_SCALE, FLAG_GRADIENT, FLAG_UPDATE } from '../../../../src/runtime/webgpu/train/kernels/control.js';
import { solverDispatches } from '../../../../src/runtime/webgpu/train/kernels/solver.js';
import { finalizeNorm, gradientPartials, partialCount } from '../../../../src/runtime/webgpu/train/kernels/step-checks.js';
import { gpuHarness, type GpuHarness } from '../../../codegen/wgsl/gpu-harness.js';
import { runDispatches } from '../../../helpers/run-dispatches.js';
import { signedRandom } from './backward-parity.js';

let h: GpuHarness | undefined;
beforeAll(async () => {
  h = await gpuHarness();
});

const N = 1003;
const f32bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];

function specOf(kind: SolverKind): SolverSpec {
  return solverSpec({ kind, lr: 0.01, momentum: kind === 'rmsprop' ? 0 : 0.9, weightDecay: 5e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, rmsDecay: 0.98 });
}

/** Distance in f32 ulps (same sign assumed; 0 for equal values). */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || a === b) return 0;
  return Math.abs(f32bits(a) - f32bits(b));
}

interface Run {
  weights: Float64Array;
  state: Float64Array[];
  control: Uint32Array;
}

async function runSolver(
  spec: SolverSpec,
  mode: 'check' | 'apply',
  data: { w: Float64Array; g: Float64Array; state: Float64Array[] },
  opts: {
    lr: number;
    step: number;
    lrMult: number;
    decayMult: number;
    scale: number;
    ok: boolean;
    stored?: { type: FixedType; stream: number };
    seed?: number;
    /** Split every tensor into chunks of this many elements (a tensor larger than one binding). */
    chunkElements?: number;
  },
): Promise<Run> {
  const dev = h!.device;
  const local = Math.fround(opts.lr * opts.lrMult);
  const rate = spec.kind === 'adam' ? Math.fround(local * adamCorrection(spec, opts.step)) : local;
  const control = new Uint32Array(CONTROL_PARAMS + 2);
  control[CONTROL_OK] = opts.ok ? 1 : 0;
  control[CONTROL_SCALE] = f32bits(opts.scale);
  const chunked = opts.chunkElements ? { chunkElements: opts.chunkElements } : {};
  const tensors: Record<string, GpuTensor> = {
    w: tensorFromValues(dev, F32, data.w, chunked),
    g: tensorFromValues(dev, F32, data.g, chunked),
    rates: tensorFromValues(dev, F32, [0, rate]),
    control: tensorFromValues(dev, I32, Int32Array.from(control)),
  };
  const state = data.state.map((s, k) => (tensors[`s${k}`] = tensorFromValues(dev, F32, s, chunked)));
  const chunking = opts.chunkElements ? { chunking: { chunks: Math.ceil(data.w.length / opts.chunkElements), chunkElements: opts.chunkElements } } : {};
  try {
    const dispatches = solverDispatches({
      capabilities: h!.wgsl,
      settings: spec,
      mode,
      slot: 1,
      count: data.w.length,
      localDecay: Math.fround(spec.weightDecay * opts.decayMult),
      ...(opts.stored ? { stored: opts.stored } : {}),
      ids: {
        param: { id: 'w', type: F32, shape: [data.w.length], ...chunking },
        grad: { id: 'g', type: F32, shape: [data.w.length], ...chunking },
        state: state.map((_, k) => ({ id: `s${k}`, type: F32, shape: [data.w.length], ...chunking })),
        rates: 'rates',
        control: 'control',
      },
      label: 'solver',
    });
    await runDispatches(dev, h!.cache, dispatches, tensors, { seed: opts.seed ?? 1, step: opts.step });
    return {
      weights: await readValues(dev, tensors.w),
      state: await Promise.all(state.map((s) => readValues(dev, s))),
      control: await readWords(dev, tensors.control),
    };
  } finally {
    for (const t of Object.values(tensors)) t.destroy();
  }
}

function inputs(kind: SolverKind, seed: number): { w: Float64Array; g: Float64Array; state: Float64Array[] } {
  const w = signedRandom(N, seed);
  const g = signedRandom(N, seed + 1).map((x) => Math.fround(x * 0.1));
  // adagrad, rmsprop and adam's second moment are sums of squares: non-negative
  const state = SOLVER_STATE_SLOTS[kind].map((slot, k) =>
    signedRandom(N, seed + 2 + k).map((x) => Math.fround(slot === 'v' || kind === 'adagrad' || kind === 'rmsprop' ? Math.abs(x) * 0.01 : x * 0.01)),
  );
  return { w, g, state };
}

describe('solver kernels against the CPU solver', () => {
  for (const kind of SOLVER_KINDS) {
    it(`${kind}: decay, lr and decay multipliers, a clipping factor, state`, async (ctx) => {
      if (!h) ctx.skip();
      const spec = specOf(kind);
      const data = inputs(kind, 11);
      const opts = { lr: 0.05, step: 6, lrMult: 2, decayMult: 1.5, scale: Math.fround(0.73), ok: true };
      // the check pass computes the same w' without writing it, and flags nothing here
      const checked = await runSolver(spec, 'check', data, opts);
      expect(checked.control[CONTROL_PARAMS + 1]).toBe(0);
      expect([...checked.weights]).toEqual([...data.w]);
      const gpu = await runSolver(spec, 'apply', data, opts);
      const cpu = updateParameter(spec, data.w, data.g, data.state, { lrMult: 2, decayMult: 1.5 }, { lr: 0.05, iter: 6, gradScale: opts.scale });
      let worst = 0;
      let inexact = 0;
      const compare = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        for (let i = 0; i < N; i++) {
          const d = ulps(a[i], b[i]);
          worst = Math.max(worst, d);
          if (d > 0) inexact++;
        }
      };
      compare(gpu.weights, cpu.weights);
      cpu.state.forEach((s, k) => compare(gpu.state[k], s));
      // A contracted multiply-add moves a state value by 1 ulp, which then moves w' by up to 2.
      expect(worst).toBeLessThanOrEqual(2);
      // (measured on lavapipe: bit-exact except rmsprop, 15 values of 2006)
      expect(inexact).toBeLessThanOrEqual((N * (1 + cpu.state.length)) / 50);
    });
  }

  it('the apply pass changes nothing when the step is refused; the check pass flags a non-finite update and writes nothing', async (ctx) => {
    if (!h) ctx.skip();
    const spec = specOf('sgd');
    const data = inputs('sgd', 20);
    const refused = await runSolver(spec, 'apply', data, { lr: 0.05, step: 0, lrMult: 1, decayMult: 1, scale: 1, ok: false });
    expect([...refused.weights]).toEqual([...data.w]);
    expect([...refused.state[0]]).toEqual([...data.state[0]]);
    const huge = { ...data, g: Float64Array.from(data.g, (x, i) => (i === 17 ? 3e38 : x)) };
    const checked = await runSolver(spec, 'check', huge, { lr: 1e10, step: 0, lrMult: 1, decayMult: 1, scale: 1, ok: true });
    expect(checked.control[CONTROL_PARAMS + 1]).toBe(FLAG_UPDATE);
    expect([...checked.weights]).toEqual([...data.w]);
  });

  it('parameters larger than one storage binding: chunked tensors give the same update', async (ctx) => {
    if (!h) ctx.skip();
    const spec = specOf('adam');
    const data = inputs('adam', 50);
    const opts = { lr: 0.05, step: 3, lrMult: 1, decayMult: 1, scale: 1, ok: true };
    const whole = await runSolver(spec, 'apply', data, opts);
    const chunked = await runSolver(spec, 'apply', data, { ...opts, chunkElements: 256 });
    expect([...chunked.weights]).toEqual([...whole.weights]);
    chunked.state.forEach((s, k) => expect([...s]).toEqual([...whole.state[k]]));
    // stochastic stored weights draw by the flat index, chunk or not
    const stored = { type: fixed(2, 6, 'stochastic'), stream: 7 };
    const a = await runSolver(specOf('sgd'), 'apply', inputs('sgd', 51), { ...opts, stored, seed: 3 });
    const b = await runSolver(specOf('sgd'), 'apply', inputs('sgd', 51), { ...opts, stored, seed: 3, chunkElements: 256 });
    expect([...b.weights]).toEqual([...a.weights]);
  });

  for (const round of ['nearest', 'stochastic'] as const) {
    it(`stored low-precision weights (${round}): w' rounded into the type with roundUpdate's draws`, async (ctx) => {
      if (!h) ctx.skip();
      const type = fixed(2, 6, round);
      const spec = specOf('sgd');
      const data = inputs('sgd', 30);
      const w = Float64Array.from(data.w, (x) => Math.round(x * 64) / 64);
      const stored = { id: 'w', type, stream: 0x01000003 };
      const gpu = await runSolver(spec, 'apply', { ...data, w }, { lr: 0.05, step: 9, lrMult: 1, decayMult: 1, scale: 1, ok: true, stored, seed: 4 });
      const cpu = updateParameter(spec, w, data.g, data.state, { lrMult: 1, decayMult: 1 }, { lr: 0.05, iter: 9, gradScale: 1 });
      expect([...gpu.weights]).toEqual([...roundUpdate(cpu.weights, stored, 4, 9)]);
    });
  }
});

describe('gradient norm and clipping', () => {
  it('partial sums over fixed slices, a compensated total, the factor clip / norm; non-finite gradients flagged', async (ctx) => {
    if (!h) ctx.skip();
    const dev = h!.device;
    const grads = [signedRandom(9000, 41), signedRandom(37, 42), signedRandom(4096 * 3, 43)];
    const counts = grads.map((g) => partialCount(g.length));
    const total = counts.reduce((a, b) => a + b, 0);
    for (const clip of [undefined, 5, 1e6]) {
      const tensors: Record<string, GpuTensor> = {
        partials: createTensor(dev, F32, total),
        control: createTensor(dev, I32, CONTROL_PARAMS + grads.length),
      };
      grads.forEach((g, k) => (tensors[`g${k}`] = tensorFromValues(dev, F32, k === 1 && clip === 5 ? Float64Array.from(g, (x, i) => (i === 3 ? NaN : x)) : g)));
      let first = 0;
      const dispatches = grads.map((g, k) => {
        const d = gradientPartials(h!.wgsl, { id: `g${k}`, type: F32, shape: [g.length] }, { partials: 'partials', control: 'control' }, k, first, `g${k}`);
        first += counts[k];
        return d;
      });
      dispatches.push(finalizeNorm(h!.wgsl, { partials: 'partials', control: 'control' }, total, clip, 'norm'));
      try {
        await runDispatches(dev, h!.cache, dispatches, tensors);
        const words = await readWords(dev, tensors.control);
        const asF32 = (w: number) => new Float32Array(new Uint32Array([w]).buffer)[0];
        if (clip === 5) {
          expect(words[CONTROL_PARAMS + 1]).toBe(FLAG_GRADIENT);
          expect(words[CONTROL_PARAMS] | words[CONTROL_PARAMS + 2]).toBe(0);
          continue;
        }
        const spec = solverSpec({ kind: 'sgd', lr: 0.1, ...(clip !== undefined ? { clipGradients: clip } : {}) });
        const norm = Math.fround(Math.sqrt(grads.reduce((a, g) => a + g.reduce((s, x) => s + x * x, 0), 0)));
        expect(Math.abs(asF32(words[CONTROL_NORM]) - norm)).toBeLessThanOrEqual(2e-6 * norm);
        const want = gradientScale(spec, grads);
        expect(Math.abs(asF32(words[CONTROL_SCALE]) - want)).toBeLessThanOrEqual(2e-6 * want);
        if (clip === undefined || clip > norm) expect(asF32(words[CONTROL_SCALE])).toBe(1);
      } finally {
        for (const t of Object.values(tensors)) t.destroy();
      }
    }
  });
});
