import { describe, expect, it } from 'vitest';
import { learningRate, lrFactor, describeLrPolicy, type LrPolicy } from '../../../src/runtime/train/lr-policy.js';

const f = Math.fround;

describe('Caffe lr policies', () => {
  it('fixed keeps base_lr (as f32)', () => {
    for (const iter of [0, 1, 1000]) expect(learningRate({ kind: 'fixed' }, 0.01, iter)).toBe(f(0.01));
  });

  it('step drops by gamma every stepsize iterations', () => {
    const p: LrPolicy = { kind: 'step', gamma: 0.5, stepsize: 10 };
    expect(learningRate(p, 0.1, 0)).toBe(f(0.1));
    expect(learningRate(p, 0.1, 9)).toBe(f(0.1));
    expect(learningRate(p, 0.1, 10)).toBe(f(0.05)); // halving is exact: fround(0.1) / 2 = fround(0.05)
    expect(learningRate(p, 0.1, 25)).toBe(f(0.025));
  });

  it('multistep drops at each listed iteration', () => {
    const p: LrPolicy = { kind: 'multistep', gamma: 0.1, steps: [5, 8] };
    expect(learningRate(p, 1, 4)).toBe(1);
    expect(learningRate(p, 1, 5)).toBe(f(f(0.1)));
    expect(learningRate(p, 1, 7)).toBe(f(f(0.1)));
    expect(learningRate(p, 1, 8)).toBe(f(f(0.1) ** 2));
    expect(learningRate(p, 1, 1000)).toBe(f(f(0.1) ** 2));
  });

  it('exp multiplies by gamma every iteration', () => {
    expect(learningRate({ kind: 'exp', gamma: 0.5 }, 1, 3)).toBe(0.125);
    expect(learningRate({ kind: 'exp', gamma: 0.9 }, 2, 2)).toBeCloseTo(2 * 0.81, 6);
  });

  it('inv matches LeNet\'s schedule at a hand-computed point', () => {
    const p: LrPolicy = { kind: 'inv', gamma: 1e-4, power: 0.75 };
    expect(learningRate(p, 0.01, 0)).toBe(f(0.01));
    // (1 + 1e-4 * 10000)^-0.75 = 2^-0.75 = 0.5946035575
    expect(learningRate(p, 0.01, 10000)).toBeCloseTo(0.005946035575, 8);
    expect(learningRate(p, 0.01, 10000)).toBe(f(learningRate(p, 0.01, 10000)));
  });

  it('poly falls to 0 at max_iter and stays there', () => {
    const p: LrPolicy = { kind: 'poly', power: 2, maxIter: 100 };
    expect(learningRate(p, 1, 0)).toBe(1);
    expect(learningRate(p, 1, 50)).toBe(0.25);
    expect(learningRate(p, 1, 90)).toBeCloseTo(0.01, 7);
    expect(learningRate(p, 1, 100)).toBe(0);
    expect(learningRate(p, 1, 150)).toBe(0);
  });

  it('sigmoid is half the rate at stepsize', () => {
    const p: LrPolicy = { kind: 'sigmoid', gamma: 0.1, stepsize: 50 };
    expect(learningRate(p, 0.2, 50)).toBe(f(0.1));
    expect(lrFactor(p, 0)).toBeCloseTo(1 / (1 + Math.exp(f(0.1) * 50)), 12);
  });

  it('describes policies as the language writes them', () => {
    expect(describeLrPolicy({ kind: 'inv', gamma: 1e-4, power: 0.75 })).toBe('inv(gamma: 0.0001, power: 0.75)');
    expect(describeLrPolicy({ kind: 'multistep', gamma: 0.1, steps: [5, 8] })).toBe('multistep(gamma: 0.1, steps: [5, 8])');
  });
});
