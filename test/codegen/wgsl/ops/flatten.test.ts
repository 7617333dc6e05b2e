import { describe, it } from 'vitest';
import { fixed } from '../../../../src/numeric/number-type.js';
import { flattenOp } from '../../../../src/ops/flatten.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { gpuHarness } from '../gpu-harness.js';
import { COPY_TYPES, expectExact, parity, tensorSpec } from './op-parity.js';

/** flatten: element copies in row-major order, codes exact at every width. */
describe('flatten kernel', () => {
  it.for(COPY_TYPES)('flatten of %s', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [shape, axis] of [
      [[2, 3, 7, 13], 1],
      [[3, 5, 1], 0],
      [[1, 65], 1],
    ] as [number[], number][]) {
      const { gpu, cpu } = await parity(h, { op: flattenOp, inputs: [tensorSpec(t, shape, 4)], attrs: { axis } });
      expectExact(gpu, cpu.data, `[${shape.join(', ')}] from axis ${axis}`);
    }
  });

  it('flatten hosting relu + quantize (8-bit in, 16-bit out)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const { gpu, cpu } = await parity(h, {
      op: flattenOp,
      inputs: [tensorSpec(fixed(3, 5), [2, 3, 3, 3], 9)],
      epilogue: [{ op: reluOp }, { op: quantizeOp, attrs: { to: fixed(2, 10, 'floor') } }],
    });
    expectExact(gpu, cpu.data);
  });
});
