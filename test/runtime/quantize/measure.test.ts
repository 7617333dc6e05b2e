import { describe, expect, it } from 'vitest';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { defaultTransform } from '../../../src/runtime/data/batches.js';
import { calibrate, evaluationBackend, evaluationSetup, measure, type BackendFactory } from '../../../src/runtime/quantize/measure.js';
import { QuantizeSession, statsLookup } from '../../../src/runtime/quantize/quantize-session.js';
import { defaultPolicy } from '../../../src/runtime/quantize/policy.js';
import { createTrainBackend } from '../../../src/runtime/train/backend-registry.js';
import { countAtMost } from '../../../src/runtime/train/magnitude-histogram.js';
import { lowerNet, separableDataset } from '../train/helpers.js';

const NET = `
block body(x, classes: int) {
  c = conv(x, filters: 3, kernel: 3, pad: 1)
  p = max_pool(relu(c), kernel: 2, stride: 2)
  return dense(p, units: classes)
}
net Q(batch: int = 4, classes: int = 3) {
  input image: f32[batch, 1, 4, 4]
  input label: i32[batch]
  logits = body(image, classes: classes)
  loss xent = softmax_cross_entropy(logits, label)
}
`;
const cpu: BackendFactory = (setup) => createTrainBackend('cpu', setup);
const data = separableDataset(10, 6);
const transform = defaultTransform('u8');

describe('calibration and evaluation on a backend', () => {
  it('the evaluation setup keeps every layer a node (no fusion), so each tensor has statistics', () => {
    const g = lowerNet(NET);
    const s = evaluationSetup(g, 1).setup!;
    expect(s.graph.nodes.map((n) => n.id)).toEqual(g.nodes.map((n) => n.id));
    expect(s.graph.nodes.some((n) => n.epilogue)).toBe(false);
  });

  it('gathers histograms of every activation and parameter over the calibration batches, and of the input on the host', async () => {
    const opened = await QuantizeSession.open(lowerNet(NET), { keepTypes: false, file: 'q.lpnet' });
    const session = opened.session!;
    const weights = session.weightsFor(initWeights(session.source, 1));
    expect([...weights.keys()].sort()).toEqual(['logits.bias', 'logits.weights', 'logits_c.bias', 'logits_c.weights']);
    const made = await evaluationBackend(session.base.graph, weights, 1, cpu);
    const seen: number[] = [];
    const r = await calibrate(made.backend!, data.train, { batch: 4, batches: 2, seed: 1, transform, imageInput: 'image', onBatch: (d) => seen.push(d) });
    await made.backend!.dispose();
    expect(r.diagnostics).toEqual([]);
    const c = r.calibration!;
    expect(seen).toEqual([1, 2]);
    expect(c.items).toBe(8);
    const by = new Map(c.stats.map((s) => [s.tensor, s]));
    // The input, the layer outputs (the loss is a scalar, not an activation), then the parameters.
    expect([...by.keys()]).toEqual(['image', 'logits_c', 'logits_p_relu', 'logits_p', 'logits', 'logits_c.weights', 'logits_c.bias', 'logits.weights', 'logits.bias']);
    for (const s of c.stats) expect(s.histogram!.reduce((a, b) => a + b, 0), s.tensor).toBe(s.count - s.nan - s.infinite);
    expect(by.get('image')!.count).toBe(8 * 16);
    expect(by.get('logits_c')!.count).toBe(8 * 3 * 16);
    expect(by.get('logits_c.weights')!.count).toBe(27);
    // The input is u8 / 255: every value is at most 1.
    expect(countAtMost(by.get('image')!.histogram!, 1)).toBe(8 * 16);
    const a = session.assign(defaultPolicy(8), statsLookup(c.stats));
    expect(a.missing).toEqual([]);
    expect(a.decisions.map((d) => `${d.layer} ${d.slot}`)).toEqual(['logits_c weights', 'logits_c bias', 'logits_c output', 'logits weights', 'logits bias']);
  });

  it('a backend without histograms is refused with a diagnostic', async () => {
    const g = lowerNet(NET);
    const made = await evaluationBackend(g, initWeights(g, 1), 1, cpu);
    const backend = made.backend!;
    const stripped = { ...backend, name: 'fake', evaluate: backend.evaluate.bind(backend), takeStats: async () => (await backend.takeStats()).map((s) => ({ ...s, histogram: undefined })) };
    const r = await calibrate(stripped, data.train, { batch: 4, batches: 1, seed: 1, transform, imageInput: 'image' });
    expect(r.calibration).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LPC3201']);
    expect(r.diagnostics[0].message).toContain('the fake backend returned no magnitude histograms');
  });

  it('measures accuracy and statistics over the whole test split', async () => {
    const g = lowerNet(NET);
    const made = await evaluationBackend(g, initWeights(g, 1), 1, cpu);
    const m = await measure(made.backend!, data.test, 4, transform);
    expect(m.score.items).toBe(6);
    expect(m.score.counted).toBe(6);
    expect(m.stats.find((s) => s.tensor === 'logits')!.count).toBe(6 * 3);
  });
});
