/**
 * Smoke tests of the peer benchmark (bench/run.ts) on small shapes, independent of timing: every
 * engine that can run here computes the same function from the shared weights (ONNX Runtime on
 * the model the bench encodes, TF.js's model on its CPU backend, lpc's CPU reference), the lpc
 * sources match the layer lists, and the report helpers do what the harness relies on.
 * TF.js's WebGPU backend is not used here: its shader compilation on lavapipe takes longer than
 * this test may; its model code is the one checked on the CPU backend. lpc's WebGPU engine runs
 * on lavapipe (skipped without an adapter, failing under LPC_REQUIRE_WEBGPU=1 as CI sets).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { BenchJob, Prepared, RunOutput } from '../../bench/engines/engine.js';
import { LpcWebGpuEngine } from '../../bench/engines/lpc.js';
import { LpcCpuEngine } from '../../bench/engines/lpc-cpu.js';
import { OnnxRuntimeCpuEngine } from '../../bench/engines/onnxruntime.js';
import { buildTfModel } from '../../bench/engines/tfjs-model.js';
import { onnxModelObject, encodeOnnxModel, ONNX_OPSET } from '../../bench/onnx/onnx-model.js';
import { onnxType } from '../../bench/onnx/onnx-schema.js';
import { checkOutput, maxAbsDiff, outputNchw } from '../../bench/output-check.js';
import { computeRatios, PEERS_MARKERS, renderMarkdown, type BenchReport, type JobResult } from '../../bench/report.js';
import { spliceSection } from '../../bench/results-file.js';
import { measure, median, percentile } from '../../bench/timing.js';
import { checkParamShapes, denseToNhwcRows, layerParamShapes, makeInput, makeWeights, nchwToNhwc, nhwcToNchw, oihwToHwio } from '../../bench/weights.js';
import { layerShapes, lenetModel, vgg16Model, vggConv3Model, type BenchModel, type Precision } from '../../bench/workloads.js';
import { lowerSource } from '../../src/lower/front-end.js';
import { webgpuRequired } from '../helpers/webgpu.js';

function job(model: BenchModel, precision: Precision = 'f32'): BenchJob {
  return { model, precision, weights: makeWeights(model, 7), input: makeInput(model, 7) };
}

async function runOnce(prepare: Promise<Prepared>): Promise<RunOutput> {
  const p = await prepare;
  try {
    return await p.run();
  } finally {
    await p.dispose();
  }
}

/** The TF.js model on TF.js's CPU backend, output as NCHW. */
async function tfOutput(j: BenchJob, maxBindingBytes = 2 ** 30): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const built = buildTfModel(tf, j.model, j.weights, maxBindingBytes);
  const [n, c, h, w] = j.model.inputShape;
  const y = tf.tidy(() => built.forward(tf.tensor4d(nchwToNhwc(j.input, j.model.inputShape), [n, h, w, c])));
  const data = await y.data();
  y.dispose();
  built.params.forEach((p) => p.dispose());
  return outputNchw({ data: data as Float32Array, shape: j.model.outputShape, layout: j.model.outputShape.length === 4 ? 'nhwc' : 'nchw' });
}

describe('workloads and weights', () => {
  it('follow the examples: LeNet and VGG16 shapes, and the lpc sources have the layer lists parameters', () => {
    const lenet = lenetModel(64);
    expect(layerShapes(lenet.inputShape, lenet.layers).map((s) => s.join('x'))).toEqual([
      '64x1x28x28', '64x20x24x24', '64x20x12x12', '64x20x12x12', '64x50x8x8', '64x50x4x4', '64x50x4x4', '64x500', '64x10', '64x10',
    ]);
    const vgg = vgg16Model(1);
    expect(vgg.outputShape).toEqual([1, 1000]);
    expect(layerParamShapes(vgg).find((p) => p.name === 'fc6')?.weightShape).toEqual([4096, 25088]);
    for (const model of [lenet, vgg, vggConv3Model()]) {
      for (const precision of ['f32', 'fixed'] as const) {
        const src = model.lpnet[precision];
        const r = lowerSource(src.text, src.file, { net: src.net, params: src.params, files: src.files });
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(() => checkParamShapes(r.graphs[0], layerParamShapes(model))).not.toThrow();
      }
    }
  });

  it('checkParamShapes rejects a net that differs from the layer list', () => {
    const model = lenetModel(2);
    const src = model.lpnet.f32;
    const graph = lowerSource(src.text, src.file, { net: src.net, params: src.params, files: src.files }).graphs[0];
    const shapes = layerParamShapes(model);
    shapes[2] = { ...shapes[2], weightShape: [400, 800] };
    expect(() => checkParamShapes(graph, shapes)).toThrow(/f1 weights are \[400, 800\]/);
    expect(() => checkParamShapes(graph, shapes.slice(1))).toThrow(/8 parameters; the layer list has 6/);
  });

  it('weights and inputs are deterministic and inputs lie on the 2^-8 grid in [-1, 1)', () => {
    const model = lenetModel(2);
    const a = makeWeights(model, 3);
    const bytes = (ws: ReturnType<typeof makeWeights>) => Buffer.concat(ws.flatMap((w) => [Buffer.from(w.weight.buffer), Buffer.from(w.bias.buffer)]));
    expect(bytes(a).equals(bytes(makeWeights(model, 3)))).toBe(true);
    expect(a[0].weight).not.toEqual(makeWeights(model, 4)[0].weight);
    const x = makeInput(model, 3);
    expect(x.every((v) => v >= -1 && v < 1 && Number.isInteger(v * 256))).toBe(true);
    const bound = Math.sqrt(3 / 25);
    expect(a[0].weight.every((v) => Math.abs(v) <= bound)).toBe(true);
  });

  it('layout helpers: HWIO filter, NHWC rows of dense weights, NCHW <-> NHWC', () => {
    const w = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i);
    const hwio = oihwToHwio(w, [2, 3, 2, 2]);
    // element (o=1, i=2, y=1, x=0) sits at ((y*kw + x)*I + i)*O + o
    expect(hwio[((1 * 2 + 0) * 3 + 2) * 2 + 1]).toBe(w[((1 * 3 + 2) * 2 + 1) * 2 + 0]);
    const data = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i * 0.5);
    expect(nhwcToNchw(nchwToNhwc(data, [2, 3, 4, 5]), [2, 3, 4, 5])).toEqual(data);
    // Dense on a [1, 2, 1, 2] input: K in (c, h, w) order for lpc, (h, w, c) rows for TF.js.
    const dense = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // units 2, K 4
    const rows = denseToNhwcRows(dense, 2, [1, 2, 1, 2]);
    // NHWC position (w=1, c=0) is NCHW feature c*2 + w = 1
    expect([rows[(1 * 2 + 0) * 2 + 0], rows[(1 * 2 + 0) * 2 + 1]]).toEqual([2, 6]);
  });
});

describe('the ONNX encoder', () => {
  it('writes a ModelProto that decodes back to the LeNet graph', () => {
    const model = lenetModel(2);
    const weights = makeWeights(model, 1);
    const bytes = encodeOnnxModel(model, weights);
    const decoded = onnxType('ModelProto').toObject(onnxType('ModelProto').decode(bytes), { longs: Number, bytes: Array }) as ReturnType<typeof onnxModelObject>;
    expect(decoded.opset_import[0].version).toBe(ONNX_OPSET);
    expect(decoded.graph.node.map((n) => n.op_type)).toEqual(['Conv', 'MaxPool', 'Tanh', 'Conv', 'MaxPool', 'Tanh', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
    expect(decoded.graph.node[decoded.graph.node.length - 1].output).toEqual(['probs']);
    expect(decoded.graph.initializer.map((t) => t.dims)).toEqual(weights.flatMap((w) => [w.weightShape, [w.bias.length]]));
    const raw = Uint8Array.from(decoded.graph.initializer[0].raw_data as unknown as number[]);
    expect(new Float32Array(raw.buffer)).toEqual(weights[0].weight);
  });
});

describe('engines agree on LeNet at batch 2 and a small conv3 layer', () => {
  it('onnxruntime-cpu, TF.js (CPU backend) and lpc-cpu compute the same function', async () => {
    const ort = new OnnxRuntimeCpuEngine();
    expect(await ort.init()).toBeUndefined();
    const cpu = new LpcCpuEngine();
    for (const model of [lenetModel(2), vggConv3Model({ channels: 6, size: 5 })]) {
      const j = job(model);
      const ref = await runOnce(ort.prepare(j));
      const check = checkOutput(ref, model.outputShape);
      expect(check.shapeOk && check.nonFinite === 0).toBe(true);
      const refNchw = outputNchw(ref);
      if (model.workload === 'lenet') {
        for (let b = 0; b < 2; b++) expect(refNchw.subarray(b * 10, b * 10 + 10).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
      }
      const lpc = await runOnce(cpu.prepare(j));
      expect(checkOutput(lpc, model.outputShape).shapeOk).toBe(true);
      expect(maxAbsDiff(outputNchw(lpc), refNchw)).toBeLessThan(1e-5);
      expect(maxAbsDiff(await tfOutput(j), refNchw)).toBeLessThan(1e-5);
    }
    await ort.dispose();
  });

  it('TF.js dense layers split to fit a small binding limit give the same result', async () => {
    const j = job(lenetModel(2));
    const whole = await tfOutput(j);
    // 800 x 500 f32 is 1.6 MB: a 300 kB limit splits f1 into chunks of 93 units.
    expect(maxAbsDiff(await tfOutput(j, 300_000), whole)).toBeLessThan(1e-6);
  });

  it('lpc-cpu runs the fixed-point LeNet to finite probabilities', async () => {
    const model = lenetModel(2);
    const out = await runOnce(new LpcCpuEngine().prepare(job(model, 'fixed')));
    const check = checkOutput(out, model.outputShape);
    expect(check).toMatchObject({ shapeOk: true, nonFinite: 0 });
  });

  it('lpc-webgpu (lavapipe) agrees with onnxruntime-cpu on LeNet at batch 2, and with lpc-cpu in fixed point', async (ctx) => {
    const engine = new LpcWebGpuEngine();
    const reason = await engine.init();
    if (reason && !webgpuRequired) {
      console.warn(`[webgpu] skipping: ${reason}`);
      ctx.skip();
    }
    expect(reason).toBeUndefined();
    try {
      const model = lenetModel(2);
      const ort = new OnnxRuntimeCpuEngine();
      await ort.init();
      const f32 = job(model);
      const gpu = outputNchw(await runOnce(engine.prepare(f32)));
      expect(maxAbsDiff(gpu, outputNchw(await runOnce(ort.prepare(f32))))).toBeLessThan(1e-5);
      const fixed = job(model, 'fixed');
      const gpuFixed = outputNchw(await runOnce(engine.prepare(fixed)));
      expect(maxAbsDiff(gpuFixed, outputNchw(await runOnce(new LpcCpuEngine().prepare(fixed))))).toBeLessThan(1e-5);
    } finally {
      await engine.dispose();
    }
  });
});

describe('timing and report helpers', () => {
  it('median and nearest-rank p90', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(xs, 90)).toBe(18);
    expect(percentile([7], 90)).toBe(7);
  });

  it('measure does the warm-up and timed runs the policy asks for', async () => {
    let calls = 0;
    const fake: Prepared = {
      run: async () => {
        calls++;
        return { data: [calls], shape: [1], layout: 'nchw' };
      },
      dispose: async () => {},
    };
    const m = await measure(fake, { warmup: 3, minWarmup: 2, runs: 5, minRuns: 1, budgetMs: 60_000 });
    expect([calls, m.warmupRuns, m.timesMs.length, m.output.data[0]]).toEqual([8, 3, 5, 8]);
    calls = 0;
    // A zero budget: the minimum warm-up and timed runs only.
    const slow = await measure(fake, { warmup: 3, minWarmup: 2, runs: 5, minRuns: 1, budgetMs: 0 });
    expect([calls, slow.warmupRuns, slow.timesMs.length]).toEqual([3, 2, 1]);
    calls = 0;
    const once = await measure(fake, { warmup: 3, minWarmup: 1, runs: 5, minRuns: 1, budgetMs: 0, firstRunMayCount: true });
    expect([calls, once.warmupRuns, once.timesMs]).toEqual([1, 0, [once.firstRunMs]]);
  });

  it('ratios pair lpc results with f32 peer results on the same workload, and fixed with f32', () => {
    const row = (engine: string, side: 'lpc' | 'peer', precision: Precision, medianMs: number): JobResult => ({
      engine,
      side,
      workload: 'lenet',
      precision,
      title: '',
      types: '',
      measuredAt: '',
      status: 'ok',
      medianMs,
    });
    const ratios = computeRatios([row('tfjs-webgpu', 'peer', 'f32', 600), row('lpc-webgpu', 'lpc', 'f32', 300), row('lpc-webgpu', 'lpc', 'fixed', 330)]);
    expect(ratios.map((r) => `${r.lpcPrecision} ${r.against} ${r.ratio.toFixed(2)}`)).toEqual([
      'f32 tfjs-webgpu 0.50',
      'fixed tfjs-webgpu 0.55',
      'fixed lpc-webgpu f32 1.10',
    ]);
  });

  it('the RESULTS.md section is replaced in place and other sections are kept', () => {
    const report: BenchReport = JSON.parse(
      JSON.stringify({
        generatedAt: 'now',
        mode: 'full',
        machine: { cpuModel: 'cpu', logicalCores: 2, memoryGiB: 1, os: 'os', node: 'v20', loadAverage: [0, 0, 0], adapter: { error: 'none' }, packages: {}, env: {} },
        policy: { warmup: 1, minWarmup: 1, runs: 1, minRuns: 1, budgetMs: 1 },
        engines: [{ id: 'lpc-webgpu', side: 'lpc', description: 'd', waitStrategy: 'w', available: false, reason: 'lpc WebGPU executor not available' }],
        results: [],
        ratios: [],
      }),
    );
    const md = renderMarkdown(report);
    expect(md).toContain('- lpc-webgpu: lpc WebGPU executor not available');
    const once = spliceSection('# results\n\n## Wait strategy\n\ntext\n', PEERS_MARKERS, md);
    const twice = spliceSection(once.replace('Wait strategy', 'Wait strategies'), PEERS_MARKERS, md.replace('now', 'later'));
    expect(twice).toContain('## Wait strategies');
    expect(twice).toContain('later');
    expect(twice).not.toContain('on now');
    expect(twice.match(/peers: begin/g)).toHaveLength(1);
  });
});

describe('bench files', () => {
  it('package.json keeps onnxruntime-node from downloading CUDA binaries at install time', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false);
  });
});
