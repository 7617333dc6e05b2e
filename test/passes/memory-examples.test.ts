/**
 * Memory planning on VGG16 at batch 1 (inference): buffer reuse must bring the peak below the sum
 * of all activations. The activation sum is computed here from the planned graph's values,
 * independently of the planner.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { packedBytes } from '../../src/numeric/number-type.js';
import { sizeOf } from '../../src/numeric/tensor.js';
import { planExampleNet } from '../helpers/examples.js';

/** Bytes of every tensor one inference writes or reads besides the parameters: the inputs and all activations, each as stored. */
function sumOfActivations(g: Graph): number {
  let sum = 0;
  for (const v of g.values.values()) {
    if (v.role === 'param') continue;
    sum += packedBytes(v.type.dtype, sizeOf(v.type.shape));
  }
  return sum;
}

describe('memory planning on the examples', () => {
  it('VGG16 inference at batch 1: the peak is reported and below the sum of all activations', () => {
    const r = planExampleNet('vgg16.lpnet', 'VGG16', 'inference', { batch: '1' });
    expect(r.graph.values.get('image')!.type.shape).toEqual([1, 3, 224, 224]);
    const plan = r.memory.inference!;
    expect(plan.mode).toBe('inference');
    const sum = sumOfActivations(r.graph);
    console.log(`VGG16 inference, batch 1: peak ${plan.peakBytes} bytes in ${plan.buffers.length} buffers; sum of all activations ${sum} bytes`);

    // by hand: the f32 image, then each activation in 16-bit codes (2 bytes), the f32 logits and probs
    const f16 = (...dims: number[]) => dims.reduce((a, d) => a * d, 2);
    const byHand =
      3 * 224 * 224 * 4 +
      2 * f16(64, 224, 224) + f16(64, 112, 112) + // conv1_1, conv1_2, pool1
      2 * f16(128, 112, 112) + f16(128, 56, 56) +
      3 * f16(256, 56, 56) + f16(256, 28, 28) +
      3 * f16(512, 28, 28) + f16(512, 14, 14) +
      3 * f16(512, 14, 14) + f16(512, 7, 7) +
      2 * f16(4096) + // fc6, fc7 (their dropouts are gone at inference)
      2 * 1000 * 4;
    expect(sum).toBe(byHand);
    expect(sum).toBe(30_782_272);

    expect(plan.peakBytes).toBeLessThan(sum);
    // the planner's own no-reuse figure counts the same tensors
    expect(plan.sumBytes).toBe(sum);
    // conv1_2 reads conv1_1 while writing its own output, both 64x224x224 16-bit codes (2 per u32):
    // no plan can go below those two tensors live at once
    const conv1Pair = 2 * 64 * 224 * 224 * 2;
    expect(plan.peakLiveBytes).toBeGreaterThanOrEqual(conv1Pair);
    expect(plan.peakBytes).toBeGreaterThanOrEqual(plan.peakLiveBytes);
    // and reuse reaches that bound here: the two largest activations alternate between two buffers
    expect(plan.peakBytes).toBe(conv1Pair);
    expect(sum / plan.peakBytes).toBeGreaterThan(2);
  });
});
