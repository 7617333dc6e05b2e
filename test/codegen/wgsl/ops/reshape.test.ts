import { describe, it } from 'vitest';
import { reshapeOp } from '../../../../src/ops/reshape.js';
import { gpuHarness } from '../gpu-harness.js';
import { COPY_TYPES, expectExact, parity, tensorSpec } from './op-parity.js';

/** reshape: element copies in row-major order, codes exact at every width. */
describe('reshape kernel', () => {
  it.for(COPY_TYPES)('reshape of %s', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [shape, spec] of [
      [[2, 3, 7, 13], [0, -1]],
      [[65], [5, 13]],
      [[1, 1, 1], [1]],
      [[3, 7], [7, 1, 3]],
    ] as [number[], number[]][]) {
      const { gpu, cpu } = await parity(h, { op: reshapeOp, inputs: [tensorSpec(t, shape, 3)], attrs: { shape: spec } });
      expectExact(gpu, cpu.data, `[${shape.join(', ')}] -> [${spec.join(', ')}]`);
    }
  });

});
