import { describe, it } from 'vitest';
import type { Attrs } from '../../../../src/ir/graph.js';
import { F32, fixed } from '../../../../src/numeric/number-type.js';
import { lrnOp } from '../../../../src/ops/lrn.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectClose, expectCodesNear, parity, tensorSpec } from './op-parity.js';

/** lrn across channels: an f32 path (pow), within |a - b| <= 1e-5 * max(1, |b|). */
describe('lrn kernel', () => {
  const ATTRS: [string, Attrs][] = [
    ['defaults (5, alpha 1, beta 0.75, k 1)', {}],
    ["AlexNet's (5, 1e-4, 0.75, 1)", { local_size: 5, alpha: 1e-4, beta: 0.75, k: 1 }],
    ['window 3, k 2, beta 0.5', { local_size: 3, alpha: 0.5, beta: 0.5, k: 2 }],
    ['window 1', { local_size: 1, alpha: 2, beta: 1.5, k: 1 }],
    ['window wider than the channels', { local_size: 9, alpha: 0.3, beta: 0.75, k: 1 }],
  ];
  it.for(ATTRS)('%s', async ([, attrs], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [n, shape] of [
      [2, 7, 3, 5],
      [3, 13],
      [1, 1, 65],
    ].entries()) {
      for (const t of [F32, fixed(3, 5)]) {
        const { gpu, cpu } = await parity(h, { op: lrnOp, inputs: [tensorSpec(t, shape, n, 3)], attrs });
        expectClose(gpu, cpu.data, 1e-5, `[${shape.join(', ')}]`);
      }
    }
  });

  it('hosts an output quantizer', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const to = fixed(2, 6, 'nearest', 'saturate');
    const { gpu, cpu, beforeLast } = await parity(h, { op: lrnOp, inputs: [tensorSpec(F32, [2, 7, 3, 5], 9, 2)], attrs: { alpha: 0.1 }, epilogue: [{ op: quantizeOp, attrs: { to } }] });
    expectCodesNear(gpu, cpu.data, beforeLast.data, to);
  });
});
