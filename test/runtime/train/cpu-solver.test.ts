import { describe, expect, it } from 'vitest';
import { adamCorrection, emptyParamState, gradientScale, updateParameter } from '../../../src/runtime/train/cpu-solver.js';
import { solverSpec, trainingFromConfig } from '../../../src/runtime/train/solver-spec.js';
import { encodeLpw } from '../../../src/runtime/weights/lpw-write.js';
import { decodeLpw } from '../../../src/runtime/weights/lpw-read.js';
import { solverStateFromLpw, solverStateToLpw, stateKey } from '../../../src/runtime/train/solver-state.js';

const f = Math.fround;
const arr = (...xs: number[]) => Float64Array.from(xs, f);
const noClip = { gradScale: 1 };

function expectF32(values: Float64Array) {
  for (const v of values) expect(f(v)).toBe(v);
}

describe('SGD with momentum (Caffe: v = m v + lr lr_mult (g + decay decay_mult w); w -= v)', () => {
  const spec = solverSpec({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01 });

  it('matches a hand-computed step with lr_mult, decay_mult and an old history', () => {
    const w = arr(1, -2);
    const g = arr(0.5, 0.25);
    const r = updateParameter(spec, w, g, [arr(0.1, 0)], { lrMult: 2, decayMult: 0.5 }, { lr: spec.lr, iter: 0, ...noClip });
    // local rate 0.2, local decay 0.005: g' = [0.505, 0.24]; v = 0.2 g' + 0.9 v = [0.191, 0.048]
    expect(r.state[0][0]).toBeCloseTo(0.191, 6);
    expect(r.state[0][1]).toBeCloseTo(0.048, 6);
    expect(r.weights[0]).toBeCloseTo(0.809, 6);
    expect(r.weights[1]).toBeCloseTo(-2.048, 6);
    expectF32(r.weights);
    expectF32(r.state[0]);
    // inputs are untouched (a non-finite step can be dropped)
    expect([...w]).toEqual([1, -2]);
  });

  it('decay_mult 0 leaves the gradient alone and lr_mult 0 freezes the parameter', () => {
    const r = updateParameter(spec, arr(1), arr(0.5), [arr(0)], { lrMult: 1, decayMult: 0 }, { lr: 0.1, iter: 0, ...noClip });
    expect(r.weights[0]).toBe(f(1 - f(f(0.1) * f(0.5))));
    const frozen = updateParameter(spec, arr(1), arr(0.5), [arr(0)], { lrMult: 0, decayMult: 1 }, { lr: 0.1, iter: 0, ...noClip });
    expect(frozen.weights[0]).toBe(1);
  });

  it('works in f32: an update below half an f32 ulp of w vanishes', () => {
    const plain = solverSpec({ kind: 'sgd', lr: 1 });
    const r = updateParameter(plain, arr(1), arr(1e-9), [arr(0)], { lrMult: 1, decayMult: 1 }, { lr: 1, iter: 0, ...noClip });
    expect(r.weights[0]).toBe(1);
  });
});

describe('Nesterov (Caffe: h\' = m h + lr g; w -= (1 + m) h\' - m h)', () => {
  it('matches a hand-computed step', () => {
    const spec = solverSpec({ kind: 'nesterov', lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    const r = updateParameter(spec, arr(1, -2), arr(0.5, 0.25), [arr(0.1, 0)], { lrMult: 2, decayMult: 0.5 }, { lr: spec.lr, iter: 0, ...noClip });
    // h' = [0.191, 0.048]; update = 1.9 h' - 0.9 h = [0.2729, 0.0912]
    expect(r.weights[0]).toBeCloseTo(1 - 0.2729, 6);
    expect(r.weights[1]).toBeCloseTo(-2 - 0.0912, 6);
    expect(r.state[0][0]).toBeCloseTo(0.191, 6);
  });
});

describe('Adam (Caffe, with bias correction)', () => {
  it('follows the formulas over two steps', () => {
    const spec = solverSpec({ kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    let w: Float64Array = arr(1);
    let state = emptyParamState(spec, 1);
    let m = 0;
    let v = 0;
    let ref = 1;
    for (let iter = 0; iter < 2; iter++) {
      const g = 0.5;
      // the settings are f32, as Caffe's: 1 - beta2 is 0.00099998713, not 0.001
      const b1 = f(0.9);
      const b2 = f(0.999);
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      const t = iter + 1;
      const correction = Math.sqrt(1 - b2 ** t) / (1 - b1 ** t);
      ref -= 0.001 * correction * (m / (Math.sqrt(v) + 1e-8));
      const r = updateParameter(spec, w, arr(g), state, { lrMult: 1, decayMult: 1 }, { lr: spec.lr, iter, ...noClip });
      w = r.weights;
      state = r.state;
      expect(state[0][0]).toBeCloseTo(m, 7);
      expect(Math.abs(state[1][0] - v) / v).toBeLessThan(1e-6); // f32: relative
      expect(w[0]).toBeCloseTo(ref, 6);
    }
    expect(adamCorrection(spec, 0)).toBeCloseTo(Math.sqrt(1 - f(0.999)) / (1 - f(0.9)), 6);
  });
});

describe('AdaGrad and RMSProp (Caffe)', () => {
  it('AdaGrad divides by the root of the summed squares', () => {
    const spec = solverSpec({ kind: 'adagrad', lr: 0.1, eps: 1e-8 });
    const r = updateParameter(spec, arr(1), arr(0.5), emptyParamState(spec, 1), { lrMult: 1, decayMult: 1 }, { lr: spec.lr, iter: 0, ...noClip });
    expect(r.state[0][0]).toBe(0.25);
    expect(r.weights[0]).toBeCloseTo(0.9, 6);
  });

  it('RMSProp divides by the root of the running mean square', () => {
    const spec = solverSpec({ kind: 'rmsprop', lr: 0.1, rmsDecay: 0.9, eps: 1e-8 });
    const r = updateParameter(spec, arr(1), arr(0.5), emptyParamState(spec, 1), { lrMult: 1, decayMult: 1 }, { lr: spec.lr, iter: 0, ...noClip });
    expect(r.state[0][0]).toBe(f(f(f(1 - f(0.9)) * 0.25) + 0)); // (1 - decay) g^2 in f32
    expect(r.weights[0]).toBeCloseTo(1 - 0.05 / Math.sqrt(0.025), 6);
  });
});

describe('gradient clipping by the global L2 norm (Caffe clip_gradients)', () => {
  it('scales every gradient by clip / norm when the norm exceeds clip', () => {
    const spec = solverSpec({ kind: 'sgd', lr: 1, clipGradients: 6.5 });
    const grads = [arr(3, 4), arr(12)]; // norm 13
    const scale = gradientScale(spec, grads);
    expect(scale).toBe(0.5);
    const r = updateParameter(spec, arr(0, 0), grads[0], [arr(0, 0)], { lrMult: 1, decayMult: 1 }, { lr: 1, iter: 0, gradScale: scale });
    expect([...r.weights]).toEqual([-1.5, -2]);
  });

  it('leaves gradients alone under the threshold or without clipping', () => {
    expect(gradientScale(solverSpec({ kind: 'sgd', lr: 1, clipGradients: 13 }), [arr(3, 4), arr(12)])).toBe(1);
    expect(gradientScale(solverSpec({ kind: 'sgd', lr: 1 }), [arr(300, 400)])).toBe(1);
  });

  it('clips before weight decay, so the decay term is not scaled', () => {
    const spec = solverSpec({ kind: 'sgd', lr: 1, weightDecay: 0.5, clipGradients: 1 });
    const g = arr(4);
    const scale = gradientScale(spec, [g]); // 0.25
    const r = updateParameter(spec, arr(2), g, [arr(0)], { lrMult: 1, decayMult: 1 }, { lr: 1, iter: 0, gradScale: scale });
    // g' = 0.25 * 4 + 0.5 * 2 = 2
    expect(r.weights[0]).toBe(0);
  });
});

describe('solver settings from a train section', () => {
  const span = undefined;
  it('maps optimizer and schedule arguments, rounded to f32', () => {
    const r = trainingFromConfig({
      optimizer: { kind: 'nesterov', args: { lr: 0.01, momentum: 0.9, weight_decay: 5e-4, clip_gradients: 10 } },
      schedule: { kind: 'multistep', args: { gamma: 0.1, steps: [100, 200] } },
      other: {},
      span,
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.solver).toMatchObject({ kind: 'nesterov', lr: f(0.01), momentum: f(0.9), weightDecay: f(5e-4), clipGradients: 10 });
    expect(r.policy).toEqual({ kind: 'multistep', gamma: 0.1, steps: [100, 200] });
  });

  it('reports what the runtime cannot do', () => {
    const r = trainingFromConfig({ optimizer: { kind: 'rmsprop', args: { lr: 0.01, momentum: 0.5 } }, schedule: { kind: 'cosine', args: {} }, other: {} });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LPC3125', 'LPC3125']);
    expect(r.diagnostics[0].message).toMatch(/rmsprop with momentum/);
  });
});

describe('solver state serialisation', () => {
  it('round-trips through the .lpw format and checks it against the parameters', () => {
    const spec = solverSpec({ kind: 'adam', lr: 0.001 });
    const tensors = new Map([
      [stateKey('c1.weights', 'm'), { shape: [2], data: arr(0.5, -0.25) }],
      [stateKey('c1.weights', 'v'), { shape: [2], data: arr(0.125, 1e-3) }],
    ]);
    const enc = encodeLpw(solverStateToLpw({ kind: spec.kind, tensors }, 'Net'));
    if ('diagnostics' in enc) throw new Error('encode failed');
    const dec = decodeLpw(enc.bytes, 'solver.lpw');
    const back = solverStateFromLpw(dec.contents!, 'adam', [{ id: 'c1.weights', shape: [2] }], 'solver.lpw');
    expect(back.diagnostics).toEqual([]);
    expect([...back.state!.tensors.get('c1.weights#v')!.data]).toEqual([...arr(0.125, 1e-3)]);
    const wrong = solverStateFromLpw(dec.contents!, 'adam', [{ id: 'c1.weights', shape: [3] }, { id: 'c2.weights', shape: [1] }], 'solver.lpw');
    expect(wrong.state).toBeUndefined();
    expect(wrong.diagnostics.map((d) => d.code)).toContain('LPC3153');
  });
});
