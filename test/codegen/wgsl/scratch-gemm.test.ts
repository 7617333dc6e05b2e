import { it, expect } from 'vitest';
import { F32, fixed } from '../../../src/numeric/number-type.js';
import { convOp } from '../../../src/ops/conv.js';
import { denseOp } from '../../../src/ops/dense.js';
import { reluOp } from '../../../src/ops/relu.js';
import { quantizeOp } from '../../../src/ops/quantize.js';
import { gpuHarness } from './gpu-harness.js';
import { GemmGpuCase, runCpu, type GemmCase, expectClose, expectExact, tensorSpec } from './gemm-harness.js';


it('conv smoke', async (ctx) => {
  const h = await gpuHarness();
  if (!h) return ctx.skip();
  const cases: GemmCase[] = [
    { op: convOp, x: tensorSpec(F32, [2, 3, 7, 7], 1), weights: tensorSpec(F32, [4, 3, 3, 3], 2), bias: tensorSpec(F32, [4], 3), attrs: { filters: 4, kernel: [3, 3], pad: [1, 1] } },
    { op: denseOp, x: tensorSpec(F32, [3, 13], 1), weights: tensorSpec(F32, [5, 13], 2), bias: tensorSpec(F32, [5], 3), attrs: { units: 5 } },
  ];
  for (const c of cases) {
    const g = new GemmGpuCase(h, c);
    const cpu = runCpu(c);
    const req = g.request();
    for (const cfg of c.op.wgsl!.configs!(req)) {
      const d = c.op.wgsl!.forward(g.request(cfg));
      console.log(d[0].label);
      const out = await g.run(d);
      expectClose(out, cpu.output.data);
    }
  }
  const q = fixed(4, 4);
  const c: GemmCase = { op: convOp, x: tensorSpec(fixed(4,4), [2, 3, 7, 7], 1), weights: tensorSpec(fixed(2,6), [4, 3, 3, 3], 2), bias: tensorSpec(fixed(4,4), [4], 3), attrs: { filters: 4, kernel: [3, 3], pad: [1, 1] }, accumulate: 'exact', epilogue: [{ op: reluOp }, { op: quantizeOp, attrs: { to: q } }] };
  const g = new GemmGpuCase(h, c);
  const cpu = runCpu(c);
  for (const cfg of c.op.wgsl!.configs!(g.request())) {
    const d = c.op.wgsl!.forward(g.request(cfg));
    console.log(d[0].label);
    expectExact(await g.run(d), cpu.output.data);
  }
}, 300000);
