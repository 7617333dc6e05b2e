import { describe, expect, it } from 'vitest';
import { quantizeOp } from '../../src/ops/quantize.js';
import { getOp } from '../../src/ops/registry.js';
import { F32, fixed } from '../../src/numeric/number-type.js';
import { quantizeValue } from '../../src/numeric/quantize.js';
import { rngUniform } from '../../src/numeric/rng.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

describe('quantize', () => {
  const a8 = fixed(4, 4);
  const sr = fixed(4, 4, 'stochastic');

  it('is a registered epilogue whose output type is its target', () => {
    expect(getOp('quantize')).toBe(quantizeOp);
    expect(quantizeOp.fusion).toBe('epilogue');
    expect(quantizeOp.inferType!([{ dtype: F32, shape: [3] }], { to: a8 })).toEqual(a8);
    expect(shapeOf(quantizeOp, [[2, 3, 4]], { to: a8 })).toEqual({ ok: true, shape: [2, 3, 4] });
  });

  it('rejects a target that is not fixed-point', () => {
    expect(shapeOf(quantizeOp, [[2]], { to: F32 })).toEqual({
      ok: false,
      message: 'quantize needs a fixed-point target type, got f32',
      hint: 'write a type such as to: fixed<4, 4>',
      blame: 'to',
    });
  });

  it('applies Q with the target rounding and overflow', () => {
    const x = tensorFrom([6], [0.3, -0.03125, 100, -100, NaN, 0.09375]);
    expect(values(forward(quantizeOp, [x], { to: a8 }))).toEqual([5 / 16, -1 / 16, 127 / 16, -127 / 16, 0, 2 / 16]);
    expect(values(forward(quantizeOp, [x], { to: fixed(4, 4, 'even', 'saturate') }))).toEqual([5 / 16, 0, 127 / 16, -8, 0, 2 / 16]);
  });

  it('rounds stochastically with rngUniform(seed, step, stream, i) while training', () => {
    const x = tensorFrom(
      [64],
      Array.from({ length: 64 }, (_, i) => Math.fround(Math.sin(i) * 2)),
    );
    const ctx = { training: true, seed: 3, step: 7, stream: 5 };
    const y = forward(quantizeOp, [x], { to: sr }, { ctx });
    expect(values(y)).toEqual(Array.from(x.data, (v, i) => quantizeValue(v, sr, rngUniform(3, 7, 5, i))));
    expect(values(forward(quantizeOp, [x], { to: sr }, { ctx }))).toEqual(values(y));
    expect(values(forward(quantizeOp, [x], { to: sr }, { ctx: { ...ctx, step: 8 } }))).not.toEqual(values(y));
    expect(values(forward(quantizeOp, [x], { to: sr }, { ctx: { ...ctx, stream: 6 } }))).not.toEqual(values(y));
  });

  it('rounds stochastic types with nearest at inference', () => {
    const x = tensorFrom([3], [0.3, -0.03125, 0.1]);
    const y = forward(quantizeOp, [x], { to: sr }, { ctx: { training: false, seed: 3, step: 7, stream: 5 } });
    expect(values(y)).toEqual([5 / 16, -1 / 16, 2 / 16]);
  });

  it('passes the gradient straight through by default', () => {
    const x = tensorFrom([4], [0.3, 100, -100, NaN]);
    const g = backward(quantizeOp, [x], tensorFrom([4], [1, 2, 3, 4]), { to: a8 });
    expect(values(g.inputs[0])).toEqual([1, 2, 3, 4]);
    expect(g.params).toEqual([]);
  });

  it('with ste: clipped, zeroes the gradient where the quantizer saturated or saw NaN', () => {
    // 7.9375 is the largest code; 7.97 (127.52 codes) rounds up past it (saturates); 7.95 rounds down to it
    const x = tensorFrom([6], [0.3, 7.95, 7.97, -100, NaN, -7.9375]);
    const g = backward(quantizeOp, [x], tensorFrom([6], [1, 2, 3, 4, 5, 6]), { to: a8, ste: 'clipped' });
    expect(values(g.inputs[0])).toEqual([1, 2, 0, 0, 0, 6]);
  });

  it('with ste: clipped and stochastic rounding, uses the forward draws to decide saturation', () => {
    const top = fixed(2, 2, 'stochastic'); // kmax = 7: 1.75; 1.8 * 4 = 7.2 rounds up (saturating) with P 0.2
    const n = 200;
    const x = tensorFrom([n], new Array(n).fill(1.8));
    const ctx = { training: true, seed: 9, step: 1, stream: 2 };
    const g = backward(quantizeOp, [x], tensorFrom([n], new Array(n).fill(1)), { to: top, ste: 'clipped' }, { ctx });
    const d = Math.fround(1.8) * 4 - 7;
    const want = Array.from({ length: n }, (_, i) => (rngUniform(9, 1, 2, i) < d ? 0 : 1));
    expect(values(g.inputs[0])).toEqual(want);
    expect(want.filter((v) => v === 0).length).toBeGreaterThan(0);
  });
});
