/**
 * The example nets on the WebGPU backend: every net of examples/ compiles with `lpc compile -o`;
 * its program has one dispatch per fused node and no separate rounding pass; its weights are
 * stored at their width (the 16-bit VGG16 at half the f32 bytes, the 8-bit nets at a quarter); the
 * small nets run at batch 2 (AlexNet at batch 1) with no divergence from the CPU reference, layer
 * by layer; and the whole of VGG16 runs at batch 1, its fc6 weights split into chunks.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/main.js';
import { PORTABLE_WGSL } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { programTotals } from '../../../src/codegen/wgsl/program-manifest.js';
import { buildWgslProgram, type WgslProgram } from '../../../src/codegen/wgsl/program.js';
import { F32, packedBytes } from '../../../src/numeric/number-type.js';
import type { Tensor } from '../../../src/numeric/tensor.js';
import type { PipelineResult } from '../../../src/passes/pipeline.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { randomInput } from '../../../src/runtime/data/random-inputs.js';
import { createWebgpuNet } from '../../../src/runtime/webgpu/executor.js';
import { compareLayers, referenceValues } from '../../../src/runtime/webgpu/layer-compare.js';
import { EXAMPLES_DIR, exampleFiles, lowerExample, planExampleNet } from '../../helpers/examples.js';
import { netHarness } from './net-harness.js';

const work = mkdtempSync(join(tmpdir(), 'lpc-examples-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Batch sizes the examples run at here: the big ImageNet nets at 1, the others at 2. */
const BATCH: Record<string, string> = { AlexNet: '1', VGG16: '1' };
const batchOf = (net: string) => BATCH[net] ?? '2';

const NETS = exampleFiles().flatMap((file) => lowerExample(file).map((g) => ({ file, net: g.name })));

function program(planned: PipelineResult): WgslProgram {
  const r = buildWgslProgram(planned, PORTABLE_WGSL);
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r.program!;
}

/** Stored and f32 bytes of the parameters in the `weights` slot. */
function weightBytes(planned: PipelineResult, p: WgslProgram): { stored: number; f32: number } {
  let stored = 0;
  let f32 = 0;
  for (const t of p.tensors.values()) {
    if (t.role !== 'param' || planned.graph.values.get(t.stored!.param)?.param?.slot !== 'weights') continue;
    stored += t.bytes;
    f32 += packedBytes(F32, t.elements);
  }
  return { stored, f32 };
}

function inputsOf(planned: PipelineResult): Map<string, Tensor> {
  const g = planned.graph;
  return new Map(g.inputs.map((id) => [id, randomInput(g, g.values.get(id)!, 5)]));
}

describe('the examples on the WebGPU backend', () => {
  for (const { file, net } of NETS) {
    it(`${net}: lpc compile -o, one dispatch per fused node, no separate rounding dispatch`, async () => {
      const io = memoryIO(EXAMPLES_DIR);
      const code = await runCli(['compile', file, '--net', net, '--param', `batch=${batchOf(net)}`, '-o', join(work, 'out')], io);
      expect(io.stderr.filter((l) => !l.startsWith('wrote'))).toEqual([]);
      expect(code).toBe(0);
      const m = JSON.parse(readFileSync(join(work, 'out', net, 'manifest.json'), 'utf8'));
      const planned = planExampleNet(file, net, 'inference', { batch: batchOf(net) });
      expect(m.totals.nodes).toBe(planned.graph.nodes.length);
      expect(m.totals.dispatches).toBe(planned.graph.nodes.length);
      // every rounding of a layer's result happens inside that layer's dispatch: a quantize node of
      // its own only rounds a graph input (the first layer's data)
      for (const n of planned.graph.nodes.filter((x) => x.op === 'quantize')) {
        expect(planned.graph.values.get(n.inputs[0])?.role, `${n.id} rounds a computed value in a dispatch of its own`).toBe('input');
      }
    });
  }

  it('stores the weights of the 16-bit VGG16 in half the f32 bytes, and of the 8-bit nets in a quarter', () => {
    const vgg = planExampleNet('vgg16.lpnet', 'VGG16', 'inference', { batch: '1' });
    const v = weightBytes(vgg, program(vgg));
    expect(v.f32).toBe(4 * 138_344_128);
    expect(v.stored).toBe(v.f32 / 2);
    for (const [file, net] of [
      ['lenet.lpnet', 'LeNet8'],
      ['cifar10_quick.lpnet', 'Cifar10Quick'],
      ['resnet_cifar.lpnet', 'ResNetCifar'],
    ]) {
      const planned = planExampleNet(file, net, 'inference', { batch: '2' });
      const w = weightBytes(planned, program(planned));
      expect(w.stored, net).toBeLessThanOrEqual(w.f32 / 4 + 3 * planned.graph.params.length); // each tensor pads to a whole word
      expect(w.stored, net).toBeGreaterThanOrEqual(w.f32 / 4);
    }
  });

  for (const { file, net } of NETS.filter((x) => x.net !== 'VGG16')) {
    it(`${net} at batch ${batchOf(net)}: runs on WebGPU with no divergence from the CPU reference`, { timeout: 300_000 }, async (ctx) => {
      const h = await netHarness();
      if (!h) return ctx.skip();
      const planned = planExampleNet(file, net, 'inference', { batch: batchOf(net) });
      const built = buildWgslProgram(planned, h.device.wgsl);
      expect(built.diagnostics).toEqual([]);
      const weights = initWeights(planned.graph, 1);
      const inputs = inputsOf(planned);
      const gpuNet = await createWebgpuNet(h.device, built.program!, weights, { cache: h.cache });
      const gpu = await gpuNet.run(inputs, { capture: 'all' });
      gpuNet.destroy();
      // each layer recomputed on the CPU from the GPU's inputs (no separate CPU forward pass needed)
      const reports = compareLayers(planned.graph, referenceValues(planned.graph, weights, inputs), gpu.values, { training: false, seed: 1, step: 0 });
      expect(reports).toHaveLength(planned.graph.nodes.length);
      expect(reports.filter((r) => r.divergence)).toEqual([]);
    });
  }

  it('runs the whole of VGG16 at batch 1, with fc6 weights in chunks', { timeout: 600_000 }, async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const planned = planExampleNet('vgg16.lpnet', 'VGG16', 'inference', { batch: '1' });
    const built = buildWgslProgram(planned, h.device.wgsl);
    expect(built.diagnostics).toEqual([]);
    const p = built.program!;
    const fc6 = [...p.tensors.values()].find((t) => t.stored?.param.startsWith('fc6') && t.elements === 4096 * 25088)!;
    expect(fc6.bytes).toBe(4096 * 25088 * 2);
    expect(fc6.chunking!.chunks).toBeGreaterThan(1);
    expect(programTotals(p).dispatches).toBe(planned.graph.nodes.length);
    const gpuNet = await createWebgpuNet(h.device, p, initWeights(planned.graph, 1), { cache: h.cache });
    try {
      const r = await gpuNet.run(inputsOf(planned), { timing: true });
      const probs = r.outputs.get('probs')!;
      expect(probs.shape).toEqual([1, 1000]);
      expect(probs.data.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
      expect(probs.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      console.log(`VGG16 batch 1 on ${h.device.capabilities.adapter.description || 'the test adapter'}: ${r.wallMs.toFixed(0)} ms wall, ${((r.timings ?? []).reduce((a, t) => a + t.ms, 0)).toFixed(0)} ms GPU`);
    } finally {
      gpuNet.destroy();
    }
  });
});
