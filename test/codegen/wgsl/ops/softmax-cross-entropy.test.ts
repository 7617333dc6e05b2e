import { describe, expect, it } from 'vitest';
import { F32, fixed, I32 } from '../../../../src/numeric/number-type.js';
import { softmaxCrossEntropyOp } from '../../../../src/ops/softmax-cross-entropy.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectClose, labels, parity, runGpu, tensorSpec } from './op-parity.js';

/** softmax_cross_entropy: a scalar f32 within |a - b| <= 1e-5 * max(1, |b|) of the f64 reference. */
describe('softmax_cross_entropy kernel', () => {
  const cases: { logits: number[]; positions: number }[] = [
    { logits: [64, 10], positions: 64 },
    { logits: [1, 1], positions: 1 },
    { logits: [65, 13], positions: 65 },
    { logits: [3, 7, 2, 5], positions: 30 },
    { logits: [700, 3], positions: 700 },
  ];
  it('the mean of -log softmax(logits)[label] over the batch (and positions)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [n, c] of cases.entries()) {
      for (const t of [F32, fixed(4, 4)]) {
        const inputs = [tensorSpec(t, c.logits, n, 6), labels(c.positions, c.logits[1], 10 + n)];
        const { gpu, cpu, dispatches } = await parity(h, { op: softmaxCrossEntropyOp, inputs });
        expect(cpu.shape).toEqual([]);
        expectClose(gpu, cpu.data, 1e-5, `[${c.logits.join(', ')}]`);
        expect(dispatches).toHaveLength(1);
      }
    }
  });

  it('large logits do not overflow', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const { gpu, cpu } = await parity(h, { op: softmaxCrossEntropyOp, inputs: [tensorSpec(F32, [8, 5], 3, 500), labels(8, 5, 4)] });
    expectClose(gpu, cpu.data);
    expect(Number.isFinite(gpu[0])).toBe(true);
  });

  it('skips ignored labels and divides by the positions counted (0 when all are ignored)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const some = await parity(h, { op: softmaxCrossEntropyOp, inputs: [tensorSpec(F32, [20, 4], 5), labels(20, 4, 6, I32, 255, 3)], attrs: { ignore_label: 255 } });
    expectClose(some.gpu, some.cpu.data);
    const all = await parity(h, { op: softmaxCrossEntropyOp, inputs: [tensorSpec(F32, [6, 4], 7), labels(6, 4, 8, I32, -1, 1)], attrs: { ignore_label: -1 } });
    expect([all.gpu[0], all.cpu.data[0]]).toEqual([0, 0]);
  });

  it('reads labels stored as f32 and as fixed-point values', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const t of [F32, fixed(8, 0), fixed(6, 2)]) {
      const { gpu, cpu } = await parity(h, { op: softmaxCrossEntropyOp, inputs: [tensorSpec(F32, [9, 5], 9), labels(9, 5, 10, t)] });
      expectClose(gpu, cpu.data);
    }
  });

  it('a label outside the classes gives NaN (the reference throws)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const bad of [5, -2, 1.5]) {
      const lab = labels(4, 5, 11, F32);
      const values = Array.from(lab.values);
      values[2] = bad;
      const { output } = await runGpu(h, { op: softmaxCrossEntropyOp, inputs: [tensorSpec(F32, [4, 5], 12), { ...lab, values }] });
      expect(Number.isNaN(output[0]), `label ${bad}`).toBe(true);
    }
  });
});
