import { describe, expect, it } from 'vitest';
import { labelClassCount, randomInput } from '../../../src/runtime/data/random-inputs.js';
import { inputStream, nodeStream, outputEnforcementStream, paramQuantizerStream, paramStream } from '../../../src/ir/streams.js';
import { lowerNet } from '../helpers/nets.js';

const SRC = `
net R(batch: int = 50) {
  input image: f32[batch, 3]
  input label: i32[batch]
  input q: fixed<2, 3>[batch]
  logits = dense(image, units: 6)
  loss xent = softmax_cross_entropy(logits, label)
  output q
}`;

describe('random inputs', () => {
  const g = lowerNet(SRC);
  it('draw f32 data uniformly in [-1, 1), reproducibly for a seed', () => {
    const a = randomInput(g, g.values.get('image')!, 3);
    expect(a.shape).toEqual([50, 3]);
    expect([...randomInput(g, g.values.get('image')!, 3).data]).toEqual([...a.data]);
    expect([...randomInput(g, g.values.get('image')!, 4).data]).not.toEqual([...a.data]);
    for (const v of a.data) {
      expect(v).toBeGreaterThanOrEqual(-1);
      expect(v).toBeLessThan(1);
      expect(v).toBe(Math.fround(v));
    }
    expect(Math.min(...a.data)).toBeLessThan(-0.8);
    expect(Math.max(...a.data)).toBeGreaterThan(0.8);
  });

  it('draw labels below the class count of the loss reading them', () => {
    expect(labelClassCount(g, 'label')).toBe(6);
    const labels = randomInput(g, g.values.get('label')!, 3).data;
    expect([...labels].every((v) => Number.isInteger(v) && v >= 0 && v < 6)).toBe(true);
    expect(new Set(labels).size).toBe(6);
  });

  it('quantize data for fixed-point inputs', () => {
    const q = randomInput(g, g.values.get('q')!, 3).data;
    expect([...q].every((v) => Number.isInteger(v * 8) && Math.abs(v) <= 1.875)).toBe(true);
  });
});

describe('stream ids', () => {
  it('keep node draws, parameter quantizers, enforcement and inputs apart', () => {
    const ids = new Set<number>();
    for (let i = 0; i < 50; i++) {
      ids.add(nodeStream(i));
      ids.add(outputEnforcementStream(i));
      for (let p = 0; p < 3; p++) ids.add(paramQuantizerStream(i, p));
      ids.add(inputStream(i));
    }
    expect(ids.size).toBe(50 * 6);
    expect(paramStream('c1.weights')).toBe(paramStream('c1.weights'));
    expect(paramStream('c1.weights')).not.toBe(paramStream('c1.bias'));
    expect(() => paramQuantizerStream(0, 253)).toThrow(RangeError);
  });
});
