import { describe, expect, it } from 'vitest';
import { runForward } from '../../../src/runtime/cpu/executor.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { storedParams } from '../../../src/runtime/weights/stored-params.js';
import { randomTensor, testRandom } from '../../helpers/gradcheck.js';
import { lowerNet, pipelined, tensor } from '../helpers/nets.js';

describe('CPU executor: batch-norm folding', () => {
  it('runs a folded graph from the stored (unfolded) weights with the same result', () => {
    const src = `
      net B(batch: int = 2) {
        input x: f32[batch, 2, 5, 5]
        c = conv(x, filters: 3, kernel: 3, pad: 1)
        b = batch_norm(c)
        s = scale(b, bias_term: true)
        output s
      }`;
    const lowered = lowerNet(src);
    const folded = pipelined(lowered, 'inference').graph;
    expect(folded.paramTransforms?.length).toBe(1);
    expect(folded.nodes.map((n) => n.op)).toEqual(['conv']);
    // the weights file of a folded graph holds the original parameters
    expect(storedParams(folded).map((v) => v.id).sort()).toEqual(storedParams(lowered).map((v) => v.id).sort());

    const rand = testRandom(17);
    const weights = initWeights(lowered, 6);
    weights.set('c.bias', randomTensor([3], rand, 0.3));
    weights.set('b.mean', randomTensor([3], rand, 0.5));
    weights.set('b.variance', tensor([3], [0.5, 1.5, 2]));
    weights.set('b.scale_factor', tensor([1], [2]));
    weights.set('s.gamma', tensor([3], [0.5, -1, 2]));
    weights.set('s.beta', randomTensor([3], rand, 1));
    const inputs = new Map([['x', randomTensor([2, 2, 5, 5], rand, 1)]]);

    const reference = runForward(lowered, weights, inputs, { training: false, seed: 1, step: 0 }).outputs.get('s')!;
    const fast = runForward(folded, weights, inputs, { training: false, seed: 1, step: 0 }).outputs.get('s')!;
    expect(fast.shape).toEqual(reference.shape);
    reference.data.forEach((r, i) => expect(Math.abs(fast.data[i] - r)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(r))));
  });
});
