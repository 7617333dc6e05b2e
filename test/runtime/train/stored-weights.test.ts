import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paramQuantizerStream } from '../../../src/ir/streams.js';
import { fixed, formatNumberType } from '../../../src/numeric/number-type.js';
import { quantizeTensor } from '../../../src/numeric/quantize.js';
import { uniformStream } from '../../../src/numeric/rng.js';
import { runPipeline } from '../../../src/passes/pipeline.js';
import { runForward } from '../../../src/runtime/cpu/executor.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { defaultTransform, shuffledOrder, trainBatch } from '../../../src/runtime/data/batches.js';
import { readCheckpoint } from '../../../src/runtime/train/checkpoint.js';
import { createCpuBackend } from '../../../src/runtime/train/cpu-backend.js';
import { resolveSettings, trainedParams } from '../../../src/runtime/train/session.js';
import { roundForStorage, roundUpdate, storedWeights } from '../../../src/runtime/train/stored-weights.js';
import { lowerNet, separableDataset, STATEFUL_NET, TINY_NET } from './helpers.js';
import { prepare, sameBits, train } from './loop-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'lpc-stored-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const summary = (m: ReturnType<typeof storedWeights>) => [...m.values()].map((w) => ({ id: w.id, type: formatNumberType(w.type), stream: w.stream }));

describe('which parameters are stored in which type', () => {
  it('finds the parameters with a declared fixed type and the stream of the node that rounds them', () => {
    expect(summary(storedWeights(prepare(TINY_NET).setup.graph))).toEqual([
      { id: 'h.dense.weights', type: 'fixed<2, 6>', stream: paramQuantizerStream(0, 0) },
    ]);
    const g = prepare(STATEFUL_NET).setup.graph;
    const logits = g.nodes.findIndex((n) => n.id === 'logits');
    expect(summary(storedWeights(g))).toEqual([
      { id: 'c.weights', type: 'fixed<2, 4, round: stochastic>', stream: paramQuantizerStream(0, 0) },
      { id: 'logits.weights', type: 'fixed<2, 4, round: stochastic>', stream: paramQuantizerStream(logits, 0) },
    ]);
    // the streams are those the fused forward quantizers draw from (node-stages.ts)
    expect(g.nodes[logits].paramQuantizers?.map((q) => q.param)).toEqual(['logits.weights']);
  });

  it('a typed bias is its node\'s second parameter; batch-norm statistics and untyped parameters stay f32', () => {
    const g = prepare(`
type W = fixed<3, 5, round: floor>
type B = fixed<4, 8>
net N(batch: int = 4) {
  input image: f32[batch, 1, 4, 4]
  input label: i32[batch]
  c = batch_norm(conv(image, filters: 2, kernel: 3, weights: W, bias: B))
  logits = dense(c, units: 3)
  loss xent = softmax_cross_entropy(logits, label)
}
train N { optimizer sgd(lr: 0.1) }`).setup.graph;
    const conv = g.nodes.findIndex((n) => n.op === 'conv');
    expect(summary(storedWeights(g))).toEqual([
      { id: 'c.conv.weights', type: 'fixed<3, 5, round: floor>', stream: paramQuantizerStream(conv, 0) },
      { id: 'c.conv.bias', type: 'fixed<4, 8>', stream: paramQuantizerStream(conv, 1) },
    ]);
  });

  it('reads the types of quantized copies in a graph without fusion, and of declarations in a graph without passes', () => {
    const lowered = lowerNet(STATEFUL_NET);
    const unfused = runPipeline(lowered, { mode: 'training', stopAfter: 'quantize-insertion' }).graph;
    expect(unfused.nodes.some((n) => n.op === 'quantize' && n.inputs[0] === 'c.weights')).toBe(true);
    const types = (m: ReturnType<typeof storedWeights>) => summary(m).map(({ id, type }) => ({ id, type }));
    const expected = types(storedWeights(prepare(STATEFUL_NET).setup.graph));
    expect(types(storedWeights(unfused))).toEqual(expected);
    expect(types(storedWeights(lowered))).toEqual(expected);
    const reader = unfused.nodes.findIndex((n) => n.op === 'conv');
    expect(storedWeights(unfused).get('c.weights')?.stream).toBe(paramQuantizerStream(reader, 0));
  });
});

describe('rounding into the stored type', () => {
  const t = fixed(2, 4, 'stochastic');
  const values = Float64Array.from([0.03, -0.03, 0.5 + 1 / 32, 7, -7, Number.NaN, 0.1]);

  it('on setParams: the type\'s own mode, stochastic as nearest; values in the type stay as they are', () => {
    const once = roundForStorage(values, t);
    expect([...once]).toEqual([...quantizeTensor(values, { ...t, round: 'nearest' })]);
    expect([...once]).toEqual([0, 0, 0.5625, 1.9375, -1.9375, 0, 0.125]);
    expect([...roundForStorage(once, t)]).toEqual([...once]);
    expect([...roundForStorage(Float64Array.from([0.01, -0.01, 0.07]), fixed(2, 4, 'floor'))]).toEqual([0, -0.0625, 0.0625]);
  });

  it('after an update: Q_T with the draws of (seed, step, the parameter quantizer stream)', () => {
    const w = { id: 'p', type: t, stream: paramQuantizerStream(3, 1) };
    const out = roundUpdate(values, w, 11, 42);
    expect([...out]).toEqual([...quantizeTensor(values, t, uniformStream(11, 42, w.stream))]);
    expect([...roundUpdate(values, w, 11, 42)]).toEqual([...out]);
    // another step draws differently: over many elements some land elsewhere
    const many = new Float64Array(256).fill(0.03);
    expect(sameArray(roundUpdate(many, w, 11, 42), roundUpdate(many, w, 11, 43))).toBe(false);
    // in expectation the value is kept: 0.03 rounds up to 1/16 with probability 0.48
    const big = new Float64Array(20000).fill(0.03);
    const meanValue = roundUpdate(big, w, 1, 0).reduce((a, b) => a + b, 0) / big.length;
    expect(Math.abs(meanValue - Math.fround(0.03))).toBeLessThan(4 * Math.sqrt(0.48 * 0.52 / big.length) / 16);
  });
});

const sameArray = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('the CPU backend with master_weights false', () => {
  const data = separableDataset(24, 10);
  const tr = defaultTransform('u8');

  it('stores typed parameters in their type from setParams on, and leaves the others f32', async () => {
    const p = prepare(TINY_NET, { masterWeights: false });
    const start = initWeights(p.setup.graph, 3);
    const backend = createCpuBackend(p.setup);
    await backend.setParams(start);
    const held = await backend.getParams();
    const w = fixed(2, 6);
    expect([...held.get('h.dense.weights')!.data]).toEqual([...quantizeTensor(start.get('h.dense.weights')!.data, w)]);
    expect(sameArray(held.get('logits.weights')!.data, start.get('logits.weights')!.data.map(Math.fround))).toBe(true);

    await backend.trainStep(trainBatch(data.train, shuffledOrder(24, 3, 0), 0, 6, tr), { step: 0, lr: 0.1 });
    const after = await backend.getParams();
    expect(after.get('h.dense.weights')!.data.every((v) => Number.isInteger(v * 64))).toBe(true);
    expect(after.get('logits.weights')!.data.some((v) => !Number.isInteger(v * 64))).toBe(true); // f32, trained

    // with master weights (the default) nothing is rounded when stored
    const masters = createCpuBackend(prepare(TINY_NET).setup);
    await masters.setParams(start);
    expect(sameArray((await masters.getParams()).get('h.dense.weights')!.data, start.get('h.dense.weights')!.data.map(Math.fround))).toBe(true);
  });

  it('the forward reads stored weights as they are: its stochastic quantizer is the identity on them', async () => {
    const p = prepare(STATEFUL_NET, { masterWeights: false });
    const backend = createCpuBackend(p.setup);
    await backend.setParams(initWeights(p.setup.graph, 9));
    const batch = trainBatch(data.train, shuffledOrder(24, 9, 0), 0, 4, tr);
    await backend.trainStep(batch, { step: 0, lr: 0.01 });
    const stored = await backend.getParams();
    const inputs = new Map([
      ['image', { shape: [4, 1, 4, 4], data: Float64Array.from(batch.images) }],
      ['label', { shape: [4], data: Float64Array.from(batch.labels) }],
    ]);
    const forward = runForward(p.setup.graph, stored, inputs, { training: true, seed: 9, step: 1 });
    for (const id of ['c.weights', 'logits.weights']) {
      const owner = p.setup.graph.values.get(id)!.param!.owner;
      const q = forward.traces.get(owner)!.params.find((x) => x.id === id)!.quantizer!;
      expect(sameArray(q.output.data, stored.get(id)!.data), id).toBe(true);
    }
  });

  it('resumes exactly: 2 epochs straight = 1 epoch + resume from the checkpoint, bit for bit', async () => {
    const p = prepare(STATEFUL_NET, { masterWeights: false });
    const d = separableDataset(22, 9);
    const straight = await train(p, d, { epochs: 2 });
    const first = await train(p, d, { epochs: 1, runDir: join(root, 'split') });
    const read = readCheckpoint(join(root, 'split'), p.setup.graph, p.settings.solver.kind, trainedParams(p.setup));
    if (!read.checkpoint) throw new Error(read.diagnostics.map((x) => x.message).join('\n'));
    expect(sameBits(first.params, straight.params)).toBe(false);
    const second = await train(p, d, { epochs: 2, resume: read.checkpoint });
    expect(sameBits(second.params, straight.params)).toBe(true);
    expect(sameBits(second.solver, straight.solver)).toBe(true);
    // and the mode made a difference: with master weights the same run ends elsewhere
    expect(sameBits((await train(prepare(STATEFUL_NET), d, { epochs: 2 })).params, straight.params)).toBe(false);
  });
});

describe('the setting', () => {
  const withSection = (value: string) => lowerNet(TINY_NET.replace('batch 6; epochs 2; seed 3', `batch 6; epochs 2; seed 3; master_weights ${value}`));

  it('defaults to master weights; the train section can turn them off; the command line wins over both', () => {
    const plain = lowerNet(TINY_NET);
    expect(resolveSettings(plain, {}).settings?.masterWeights).toBe(true);
    expect(resolveSettings(plain, { masterWeights: false }).settings?.masterWeights).toBe(false);
    const off = withSection('false');
    expect(off.train?.other.master_weights).toBe(false);
    expect(resolveSettings(off, {}).settings?.masterWeights).toBe(false);
    expect(resolveSettings(off, { masterWeights: true }).settings?.masterWeights).toBe(true);
    expect(resolveSettings(withSection('true'), {}).settings?.masterWeights).toBe(true);
  });

  it('reaches the backend setup only when off', () => {
    expect(prepare(TINY_NET).setup.masterWeights).toBeUndefined();
    expect(prepare(TINY_NET, { masterWeights: false }).setup.masterWeights).toBe(false);
  });
});
