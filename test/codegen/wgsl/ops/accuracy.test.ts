import { describe, expect, it } from 'vitest';
import { F32, fixed, I32 } from '../../../../src/numeric/number-type.js';
import { accuracyOp } from '../../../../src/ops/accuracy.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectExact, labels, parity, tensorSpec } from './op-parity.js';

/** accuracy: counts are integers and the one division is correctly rounded, so it is exact. */
describe('accuracy kernel', () => {
  it('top-1 and top-k over f32 and tie-heavy 4-bit logits, [N, C] and [N, C, H, W]', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [n, shape] of [
      [64, 10],
      [65, 13],
      [3, 7, 2, 5],
      [1, 1],
    ].entries()) {
      const positions = shape[0] * shape.slice(2).reduce((a, d) => a * d, 1);
      for (const t of [F32, fixed(2, 2)]) {
        for (const topK of [1, Math.min(3, shape[1])]) {
          const { gpu, cpu, dispatches } = await parity(h, { op: accuracyOp, inputs: [tensorSpec(t, shape, n, 3), labels(positions, shape[1], 20 + n)], attrs: { top_k: topK } });
          expectExact(gpu, cpu.data, `[${shape.join(', ')}] top ${topK}`);
          expect(dispatches).toHaveLength(1);
        }
      }
    }
  });

  it('skips ignored labels; no counted position gives 0', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const some = await parity(h, { op: accuracyOp, inputs: [tensorSpec(F32, [30, 4], 1), labels(30, 4, 2, I32, 7, 4)], attrs: { ignore_label: 7 } });
    expectExact(some.gpu, some.cpu.data);
    const none = await parity(h, { op: accuracyOp, inputs: [tensorSpec(F32, [3, 4], 3), labels(3, 4, 4, I32, 7, 1)], attrs: { ignore_label: 7 } });
    expect([none.gpu[0], none.cpu.data[0]]).toEqual([0, 0]);
  });
});
