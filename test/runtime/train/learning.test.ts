import { describe, expect, it } from 'vitest';
import { separableDataset, TINY_NET } from './helpers.js';
import { prepare, train } from './loop-helpers.js';

const QUANTIZED_CONV_NET = `
type W = fixed<2, 4, round: stochastic>
type A = fixed<3, 3>
net QConv(batch: int = 8, classes: int = 4) {
  input image: f32[batch, 1, 4, 4]
  input label: i32[batch]
  c = relu(conv(image, filters: 4, kernel: 3, pad: 1, weights: W, bias: W)) -> A
  p = max_pool(c, kernel: 2, stride: 2)
  logits = dense(p, units: classes, weights: W)
  loss xent = softmax_cross_entropy(logits, label)
}
train QConv { optimizer sgd(lr: 0.05, momentum: 0.9); batch 8; epochs 4; seed 4 }
`;

describe('learning', () => {
  it('a tiny f32/fixed net learns a separable task: loss falls, test accuracy far above chance', async () => {
    const r = await train(prepare(TINY_NET, { epochs: 3 }), separableDataset(60, 30));
    const h = r.outcome.state.history;
    expect(r.outcome.status).toBe('finished');
    expect(h).toHaveLength(3);
    expect(h[2].trainLoss).toBeLessThan(h[0].trainLoss / 2);
    expect(h[2].testAccuracy).toBeGreaterThanOrEqual(0.9); // chance is 1/3
  });

  it('a conv net with 6-bit stochastic weights and fixed-point activations learns too', async () => {
    const r = await train(prepare(QUANTIZED_CONV_NET), separableDataset(96, 32, 4));
    const h = r.outcome.state.history;
    expect(h[h.length - 1].trainLoss).toBeLessThan(h[0].trainLoss);
    expect(h[h.length - 1].testAccuracy).toBeGreaterThanOrEqual(0.75); // chance is 1/4
    // the final evaluation's layer statistics cover every layer and parameter
    const stats = r.outcome.stats ?? [];
    // relu(conv(...)) is one fused node named after the inner call
    expect(stats.filter((s) => s.kind === 'activation').map((s) => s.layer)).toEqual(['c.conv', 'p', 'logits']);
    expect(stats.filter((s) => s.kind === 'param').map((s) => s.tensor)).toEqual(['c.conv.weights', 'c.conv.bias', 'logits.weights', 'logits.bias']);
    const conv = stats.find((s) => s.layer === 'c.conv' && s.kind === 'activation')!;
    expect(conv.type).toBe('fixed<3, 3>');
    expect(conv.count).toBe(32 * 4 * 16);
    expect(conv.zeros).toBeGreaterThan(0); // relu
  });
});
