import { it } from 'vitest';
import { F32 } from '../../../src/numeric/number-type.js';
import { convOp } from '../../../src/ops/conv.js';
import { denseOp } from '../../../src/ops/dense.js';
import { testRandom } from '../../helpers/gradcheck.js';
import { gpuHarness } from './gpu-harness.js';
import { gradientError, randomValues, runCpuBackward, runGpuBackward, type BackwardCase } from './gemm-backward-case.js';

it('probe', async (ctx) => {
  const h = await gpuHarness();
  if (!h) return ctx.skip();
  const rand = testRandom(7);
  const run = async (name: string, c: BackwardCase) => {
    const cpu = runCpuBackward(c);
    await runGpuBackward(h, c);
    const t0 = performance.now();
    const gpu = await runGpuBackward(h, c);
    const ms = performance.now() - t0;
    const e = [gradientError(gpu.dx, cpu.dx), gradientError(gpu.dparams[0], cpu.dparams[0]), gradientError(gpu.dparams[1], cpu.dparams[1])];
    console.log(name, ms.toFixed(0), 'ms', e.map((x) => x.worst.toFixed(4)).join(' '), gpu.dispatches.map((d) => d.label.replace('n (', '') + JSON.stringify(d.workgroups)).join(' | '));
  };
  for (const batch of [64]) {
    const x = [batch, 1, 28, 28];
    const base: BackwardCase = {
      op: convOp, attrs: { filters: 20, kernel: 5 },
      x: { type: F32, shape: x, values: randomValues(batch * 784, rand) },
      params: [randomValues(500, rand, 0.3), randomValues(20, rand)],
      gradOutput: randomValues(batch * 20 * 24 * 24, rand),
    };
    await run(`lenet conv1 b${batch} default`, base);
    await run(`lenet conv1 b${batch} slices1`, { ...base, config: { bw_dw_slices: 1 } });
    const x2 = [batch, 20, 12, 12];
    const c2: BackwardCase = {
      op: convOp, attrs: { filters: 50, kernel: 5 },
      x: { type: F32, shape: x2, values: randomValues(batch * 20 * 144, rand) },
      params: [randomValues(50 * 500, rand, 0.1), randomValues(50, rand)],
      gradOutput: randomValues(batch * 50 * 64, rand),
    };
    await run(`lenet conv2 b${batch}`, c2);
    const d1: BackwardCase = {
      op: denseOp, attrs: { units: 500 },
      x: { type: F32, shape: [batch, 50, 4, 4], values: randomValues(batch * 800, rand) },
      params: [randomValues(500 * 800, rand, 0.05), randomValues(500, rand)],
      gradOutput: randomValues(batch * 500, rand),
    };
    await run(`lenet ip1 b${batch}`, d1);
  }
});
