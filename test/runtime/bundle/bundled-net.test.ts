/**
 * The bundle runtime on the lavapipe adapter, with LeNet8 (8-bit weights and activations) at
 * batch 4 and random weights: a bundle runs exactly the program the executor runs (equal bits),
 * within the contract of the CPU reference; partial batches equal the rows of a full one; packed
 * weights written by `lpc compile --weights` give the same outputs as the f32 masters; saved
 * weights load back; per-layer statistics computed on the GPU equal the CPU's counts; inputs,
 * weights, devices and use after destroy() fail with the codes of src/codegen/ts/codes.ts.
 */
import { describe, expect, it } from 'vitest';
import { BUNDLE_CODES } from '../../../src/codegen/ts/codes.js';
import { netBundle, type NetBundle } from '../../../src/codegen/ts/bundle-format.js';
import { PORTABLE_WGSL } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { buildWgslProgram } from '../../../src/codegen/wgsl/program.js';
import { moduleInterface, packedWeights } from '../../../src/cli/compile/ts-bundle.js';
import type { Graph } from '../../../src/ir/graph.js';
import type { Tensor } from '../../../src/numeric/tensor.js';
import { runPipeline, type PipelineResult } from '../../../src/passes/pipeline.js';
import { BundledNet, LpcError } from '../../../src/runtime/bundle/index.js';
import { runForward } from '../../../src/runtime/cpu/executor.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { createWebgpuNet } from '../../../src/runtime/webgpu/executor.js';
import { encodeLpw } from '../../../src/runtime/weights/lpw-write.js';
import { storedMasters } from '../../../src/runtime/weights/match-weights.js';
import { lowerExampleNet } from '../../helpers/examples.js';
import { netHarness } from '../webgpu/net-harness.js';

const BATCH = 4;

interface Fixture {
  lowered: Graph;
  planned: PipelineResult;
  bundle: NetBundle;
  weights: Map<string, Tensor>;
  lpw: Uint8Array;
}

let fixture: Fixture | undefined;
function lenet8(): Fixture {
  if (fixture) return fixture;
  const lowered = lowerExampleNet('lenet.lpnet', 'LeNet8', { batch: String(BATCH) });
  const planned = runPipeline(lowered, { mode: 'inference' });
  const built = buildWgslProgram(planned, PORTABLE_WGSL);
  expect(built.diagnostics.map((d) => d.message)).toEqual([]);
  const { iface, training } = moduleInterface(lowered, planned);
  const weights = initWeights(lowered, 11);
  const enc = encodeLpw({ net: lowered.name, tensors: storedMasters(lowered, weights) });
  if (!('bytes' in enc)) throw new Error('weights did not encode');
  fixture = { lowered, planned, bundle: netBundle(built.program!, planned.graph, iface, '0.0.0', training), weights, lpw: enc.bytes };
  return fixture;
}

/** A deterministic batch of images in [0, 1] (pixels of Fashion-MNIST scale). */
function images(items: number, salt = 0): Float32Array {
  return Float32Array.from({ length: items * 784 }, (_, i) => (Math.sin(i * 0.37 + salt) + 1) / 2);
}

async function expectLpcError(p: Promise<unknown>, code: string, text?: RegExp): Promise<LpcError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LpcError);
  const err = e as LpcError;
  expect(err.diagnostics.map((d) => d.code)).toContain(code);
  if (text) expect(err.message).toMatch(text);
  return err;
}

describe('BundledNet (LeNet8 on WebGPU)', () => {
  it('runs the same bits as the executor, and the CPU reference within the contract', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const f = lenet8();
    const net = await BundledNet.create(f.bundle, h.device);
    await net.loadWeights(f.lpw);
    const image = images(BATCH);
    const got = await net.infer({ image });
    expect(Object.keys(got)).toEqual(['probs']);
    expect(got.probs).toBeInstanceOf(Float32Array);
    expect(got.probs.length).toBe(BATCH * 10);

    const direct = await createWebgpuNet(h.device, buildWgslProgram(f.planned, PORTABLE_WGSL).program!, f.weights, { cache: h.cache });
    const inputs = new Map([
      ['image', { shape: [BATCH, 1, 28, 28], data: Float64Array.from(image) }],
      ['label', { shape: [BATCH], data: new Float64Array(BATCH) }],
    ]);
    const ref = await direct.run(inputs);
    direct.destroy();
    expect(Array.from(got.probs)).toEqual(Array.from(ref.outputs.get('probs')!.data));

    const cpu = runForward(f.planned.graph, f.weights, inputs, { training: false, seed: 1, step: 0 }).outputs.get('probs')!.data;
    for (let i = 0; i < cpu.length; i++) expect(Math.abs(got.probs[i] - cpu[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(cpu[i])));

    const ev = await net.evaluate({ image, label: new Int32Array([0, 1, 2, 3]) });
    expect(Object.keys(ev).sort()).toEqual(['probs', 'top1', 'xent']);
    expect(Array.from(ev.probs)).toEqual(Array.from(got.probs));
    expect(ev.xent.length).toBe(1);
    net.destroy();
  });

  it('answers partial batches with the rows of a full batch', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const f = lenet8();
    const net = await BundledNet.create(f.bundle, h.device);
    await net.loadWeights(f.lpw);
    const image = images(BATCH, 1);
    const full = await net.infer({ image });
    for (const items of [1, 3]) {
      const part = await net.infer({ image: image.slice(0, items * 784) });
      expect(Array.from(part.probs)).toEqual(Array.from(full.probs.slice(0, items * 10)));
    }
    net.destroy();
  });

  it('packed weights (lpc compile --weights) give the outputs of the f32 masters; saved weights load back', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const f = lenet8();
    const net = await BundledNet.create(f.bundle, h.device);
    await net.loadWeights(f.lpw);
    const image = images(BATCH, 2);
    const fromMasters = await net.infer({ image });

    const program = buildWgslProgram(f.planned, PORTABLE_WGSL).program!;
    const packed = packedWeights(f.lowered, program, f.weights);
    expect(packed.diagnostics).toEqual([]);
    expect(packed.bytes!.length).toBeLessThan(f.lpw.length / 3); // 8-bit codes instead of f32
    await net.loadWeights(packed.bytes!);
    expect(Array.from((await net.infer({ image })).probs)).toEqual(Array.from(fromMasters.probs));

    const saved = await net.saveWeights();
    const again = await BundledNet.create(f.bundle, h.device);
    await again.loadWeights(saved.buffer.slice(saved.byteOffset, saved.byteOffset + saved.byteLength) as ArrayBuffer);
    expect(Array.from((await again.infer({ image })).probs)).toEqual(Array.from(fromMasters.probs));
    again.destroy();
    net.destroy();
  });

  it('per-layer statistics computed on the GPU equal the CPU reference, over the items given', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const f = lenet8();
    const net = await BundledNet.create(f.bundle, h.device);
    expect(await net.stats()).toEqual([]);
    await net.loadWeights(f.lpw);
    for (const items of [BATCH, 2]) {
      const image = images(items, 3);
      await net.infer({ image });
      const stats = await net.stats();
      const padded = new Float64Array(BATCH * 784);
      padded.set(image);
      const cpu = runForward(
        f.planned.graph,
        f.weights,
        new Map([
          ['image', { shape: [BATCH, 1, 28, 28], data: padded }],
          ['label', { shape: [BATCH], data: new Float64Array(BATCH) }],
        ]),
        { training: false, seed: 1, step: 0 },
      );
      // Accuracy and loss ran on zero labels (infer does not take them), so they are left out.
      expect(stats.map((s) => s.layer)).toEqual(f.planned.graph.nodes.map((n) => n.id).filter((id) => id !== 'top1' && id !== 'xent'));
      for (const s of stats.filter((x) => x.type.startsWith('fixed'))) {
        const all = cpu.values.get(s.output)!.data;
        const values = all.subarray(0, (all.length / BATCH) * items);
        expect(s.count, s.layer).toBe(values.length);
        expect(s.zeros, s.layer).toBe(values.filter((v) => v === 0).length);
        expect(s.sparsity).toBeCloseTo(s.zeros / s.count, 12);
        expect(s.min, s.layer).toBe(Math.min(...values));
        expect(s.max, s.layer).toBe(Math.max(...values));
        expect(s.nan + s.infinite).toBe(0);
      }
      const relu = stats.find((s) => s.op === 'dense+relu+quantize')!;
      expect(relu.sparsity).toBeGreaterThan(0.2); // relu zeroes part of the layer
    }
    await net.evaluate({ image: images(BATCH), label: new Int32Array(BATCH) });
    expect((await net.stats()).map((s) => s.layer)).toEqual(f.planned.graph.nodes.map((n) => n.id));
    net.destroy();
  });

  it('checks inputs and says what is wrong, all at once', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const f = lenet8();
    const net = await BundledNet.create(f.bundle, h.device);
    await expectLpcError(net.infer({ image: images(1) }), BUNDLE_CODES.NO_WEIGHTS, /loadWeights/);
    await net.loadWeights(f.lpw);
    const e = await expectLpcError(net.infer({ imag: images(1), image: new Float32Array(100) }), BUNDLE_CODES.INPUT_UNKNOWN, /did you mean `image`/);
    expect(e.diagnostics.map((d) => d.code)).toEqual([BUNDLE_CODES.INPUT_UNKNOWN, BUNDLE_CODES.INPUT_WRONG_LENGTH]);
    expect(e.message).toMatch(/input 'image' has 100 values; its shape \[4, 1, 28, 28\] takes 784 values per item, 1 to 4 items/);
    await expectLpcError(net.infer({}), BUNDLE_CODES.INPUT_MISSING, /input 'image' \(f32 \[4, 1, 28, 28\]\) is missing/);
    await expectLpcError(net.infer({ image: new Int32Array(784) }), BUNDLE_CODES.INPUT_WRONG_ARRAY, /Float32Array or Float64Array/);
    await expectLpcError(net.infer({ image: images(5) }), BUNDLE_CODES.INPUT_WRONG_LENGTH);
    await expectLpcError(net.infer({ image: images(1), label: new Int32Array(4) }), BUNDLE_CODES.INPUT_UNKNOWN, /not used by infer/);
    await expectLpcError(net.evaluate({ image: images(1), label: new Int32Array(4) }), BUNDLE_CODES.INPUT_WRONG_LENGTH, /takes 3136 values/);
    // the net still runs after rejected calls
    expect((await net.infer({ image: images(1) })).probs.length).toBe(10);
    net.destroy();
    await expectLpcError(net.infer({ image: images(1) }), BUNDLE_CODES.NET_DESTROYED, /create it again/);
  });

  it('refuses weights of another net and broken files with the weights-file codes', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const f = lenet8();
    const net = await BundledNet.create(f.bundle, h.device);
    await expectLpcError(net.loadWeights(new Uint8Array([1, 2, 3])), 'LPC3001');
    const other = lowerExampleNet('lenet.lpnet', 'LeNet8', { batch: '1', classes: '5' });
    const enc = encodeLpw({ net: other.name, tensors: storedMasters(other, initWeights(other, 1)) });
    await expectLpcError(net.loadWeights((enc as { bytes: Uint8Array }).bytes), 'LPC3022', /has shape \[5, 500\]/);
    await expectLpcError(net.loadWeights(42 as unknown as Uint8Array), BUNDLE_CODES.WEIGHTS_UNREADABLE, /a number/);
    await expectLpcError(net.loadWeights('/no/such/file.lpw'), BUNDLE_CODES.WEIGHTS_UNREADABLE, /cannot read the weights file/);
    net.destroy();
  });

  it('refuses a device that lacks what the shaders require, before compiling anything', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const f = lenet8();
    const key = Object.keys(f.bundle.shaders)[0];
    const shaders = { ...f.bundle.shaders, [key]: `requires some_future_feature;\n${f.bundle.shaders[key]}` };
    await expectLpcError(BundledNet.create({ ...f.bundle, shaders }, h.device), BUNDLE_CODES.DEVICE_UNSUITED, /requires the WGSL language feature some_future_feature/);
    await expectLpcError(BundledNet.create({ ...f.bundle, version: 7 as 1 }, h.device), BUNDLE_CODES.BAD_BUNDLE, /format 7/);
  });

  it('trainStep trains on the GPU, on the net\'s own device, and infer and saveWeights see the trained weights', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const f = lenet8();
    const net = await BundledNet.create(f.bundle, h.device);
    await net.loadWeights(f.lpw);
    const batch = { image: images(BATCH, 4), label: new Int32Array([0, 1, 2, 3]) };
    const first = await net.trainStep(batch);
    let last = first;
    for (let i = 0; i < 4; i++) last = await net.trainStep(batch);
    expect(last.step).toBe(4);
    expect(last.lr).toBe(Math.fround(0.01)); // LeNet8 has no train section: lpc train's default, sgd at a fixed 0.01
    expect(last.loss).toBeLessThan(first.loss);
    const trained = await net.infer({ image: batch.image });
    // The trained weights reach inference: the CPU reference with the saved weights agrees.
    const saved = await net.saveWeights();
    const fresh = await BundledNet.create(f.bundle, h.device);
    await fresh.loadWeights(saved);
    expect(Array.from((await fresh.infer({ image: batch.image })).probs)).toEqual(Array.from(trained.probs));
    fresh.destroy();
    net.destroy();
  });

  it('trainStep takes another backend by name (the CPU reference), and a net compiled without training says so', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const f = lenet8();
    const net = await BundledNet.create(f.bundle, h.device, { trainBackend: 'cpu' });
    await net.loadWeights(f.lpw);
    const batch = { image: images(BATCH, 5), label: new Int32Array([3, 1, 4, 1]) };
    const before = await net.infer({ image: batch.image });
    const steps = [];
    for (let i = 0; i < 4; i++) steps.push(await net.trainStep(batch, { lr: 0.005 }));
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3]);
    expect(steps.every((s) => s.lr === 0.005 && s.counted === BATCH)).toBe(true);
    expect(steps[3].loss).toBeLessThan(steps[0].loss);
    const after = await net.infer({ image: batch.image });
    expect(Array.from(after.probs)).not.toEqual(Array.from(before.probs));
    const saved = await net.saveWeights();
    const fresh = await BundledNet.create(f.bundle, h.device);
    await fresh.loadWeights(saved);
    expect(Array.from((await fresh.infer({ image: batch.image })).probs)).toEqual(Array.from(after.probs));
    fresh.destroy();
    net.destroy();

    const inferenceOnly = await BundledNet.create({ ...f.bundle, training: undefined }, h.device);
    await inferenceOnly.loadWeights(f.lpw);
    await expectLpcError(inferenceOnly.trainStep(batch), BUNDLE_CODES.NO_TRAINING, /compiled without a training graph/);
    inferenceOnly.destroy();
  });
});
