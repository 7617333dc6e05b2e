/**
 * The randomized differential test of the WebGPU backend: at least 200 random small nets per run
 * (random-nets.ts), each planned, compiled to WGSL, run on the test adapter and compared with the
 * CPU reference layer by layer under the numerical contract (layer-compare.ts). The nets differ
 * every run; a failure prints the seed (rerun it with LPC_DIFF_SEED=<seed>) and the IR of the net.
 * One pipeline cache serves every net, so each distinct kernel compiles once.
 */
import { describe, expect, it } from 'vitest';
import { buildWgslProgram } from '../../../src/codegen/wgsl/program.js';
import { printGraph } from '../../../src/ir/print.js';
import { runPipeline } from '../../../src/passes/pipeline.js';
import { createWebgpuNet } from '../../../src/runtime/webgpu/executor.js';
import { compareLayers, referenceValues } from '../../../src/runtime/webgpu/layer-compare.js';
import { testRandom } from '../../helpers/gradcheck.js';
import { netHarness } from './net-harness.js';
import { availableOps, randomNet } from './random-nets.js';

const NETS = 200;
const seed = process.env.LPC_DIFF_SEED ? Number(process.env.LPC_DIFF_SEED) : Date.now() % 1_000_000;

describe('WebGPU against the CPU reference on random nets', () => {
  it(`${NETS} random nets agree layer by layer (seed ${seed})`, { timeout: 240_000 }, async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const ops = availableOps();
    expect(ops.length).toBeGreaterThan(3);
    const signed = testRandom(seed);
    const r = () => (signed() + 1) / 2; // uniform on [0, 1)
    const failures: string[] = [];
    const used = new Map<string, number>();
    const opts = { training: false, seed: 1, step: 0 };
    for (let k = 0; k < NETS && failures.length < 3; k++) {
      const net = randomNet(r, k, ops);
      const planned = runPipeline(net.graph, { mode: 'inference' });
      const where = () => `net ${k} (LPC_DIFF_SEED=${seed}):\n${printGraph(planned.graph)}`;
      if (!planned.ok) {
        failures.push(`${where()}planning failed: ${planned.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
        continue;
      }
      for (const n of planned.graph.nodes) for (const op of [n.op, ...(n.epilogue ?? []).map((e) => e.op)]) used.set(op, (used.get(op) ?? 0) + 1);
      const built = buildWgslProgram(planned, h.device.wgsl);
      if (!built.program) {
        failures.push(`${where()}no program: ${built.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
        continue;
      }
      try {
        const gpuNet = await createWebgpuNet(h.device, built.program, net.weights, { cache: h.cache });
        const gpu = await gpuNet.run(net.inputs, { capture: 'all' });
        gpuNet.destroy();
        const bad = compareLayers(planned.graph, referenceValues(planned.graph, net.weights, net.inputs), gpu.values, opts).filter((x) => x.divergence);
        if (bad.length > 0) failures.push(`${where()}diverges: ${JSON.stringify(bad[0])}`);
      } catch (e) {
        failures.push(`${where()}failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    expect(failures.join('\n\n')).toBe('');
    // every op the generator knows and the build has a kernel for was exercised
    for (const op of ops) expect(used.get(op) ?? 0, `nets using ${op}`).toBeGreaterThan(0);
    console.log(`random nets: ${NETS} nets, seed ${seed}, ${h.cache.compilations} pipelines compiled in this file; ops used: ${[...used].map(([o, n]) => `${o} ${n}`).join(', ')}`);
  });
});
