import { describe, expect, it } from 'vitest';
import { formatNumberType } from '../../../src/numeric/number-type.js';
import { emptyMagnitudeHistogram, magnitudeBin } from '../../../src/runtime/train/magnitude-histogram.js';
import { assignTypes, logitsSide, tensorsToCalibrate, type TypeAssignment } from '../../../src/runtime/quantize/assign-types.js';
import { defaultPolicy, type QuantizePolicy } from '../../../src/runtime/quantize/policy.js';
import type { MagnitudeStats } from '../../../src/runtime/quantize/select-bits.js';
import { lowerNet } from '../helpers/nets.js';

const NET = `
net T(batch: int = 2) {
  input image: f32[batch, 1, 4, 4]
  input label: i32[batch]
  c = conv(image, filters: 2, kernel: 3, weights: fixed<2, 6>) -> fixed<4, 4>
  p = max_pool(relu(c), kernel: 2)
  t = tanh(p)
  logits = dense(t, units: 3)
  output probs = softmax(logits)
  loss xent = softmax_cross_entropy(logits, label)
}
`;
const g = lowerNet(NET);

function stats(values: number[]): MagnitudeStats {
  const histogram = emptyMagnitudeHistogram();
  for (const v of values) histogram[magnitudeBin(Math.abs(Math.fround(v)))]++;
  return { histogram, maxAbs: Math.max(0, ...values.map((v) => Math.abs(Math.fround(v)))) };
}

/** Each tensor's values: the weights small, the bias large (the seed's notebook took one for the other). */
const VALUES: Record<string, number[]> = {
  image: [0, 0.5, 1],
  'c.weights': [0.25, -0.5, 0.125],
  'c.bias': [5, -1],
  c: [-6, -0.5, 0, -2], // negative only: |x| decides
  'p.relu': [0, 1],
  p: [0, 1],
  t: [0.75, -0.9],
  'logits.weights': [1.5, -0.1],
  'logits.bias': [0.01],
  logits: [12, -3],
  probs: [1, 0.2],
};
const lookup = (t: string) => (VALUES[t] ? stats(VALUES[t]) : undefined);
const policy = (over: Partial<QuantizePolicy> = {}): QuantizePolicy => ({ ...defaultPolicy(8), percentile: 1, ...over });
const decided = (a: TypeAssignment) => a.decisions.map((d) => `${d.layer} ${d.slot} ${formatNumberType(d.type)} ${d.how}`);

describe('assignTypes', () => {
  it('gives weights and biases separate types from their own tensors, and outputs that would be f32 a type', () => {
    const a = assignTypes(g, policy(), lookup);
    expect(decided(a)).toEqual([
      'c weights fixed<1, 7> chosen', // max 0.5
      'c bias fixed<4, 4> chosen', // max 5: the bias is not the weights
      'c output fixed<4, 4> chosen', // max |-6| = 6: negative values count
      't output fixed<1, 7> chosen', // tanh of a fixed value is f32: it needs a type
      'logits weights fixed<2, 6> chosen',
      'logits bias fixed<1, 7> chosen',
    ]);
    // relu and max_pool of a fixed value keep its type: no declaration.
    expect(a.types.get('p.relu')).toEqual({});
    expect(a.types.get('p')).toEqual({});
    // The logits and the softmax of them stay f32; the input too.
    expect(a.types.get('logits')?.output).toBeUndefined();
    expect(a.types.get('probs')).toEqual({});
    expect(a.inputTypes.get('image')).toEqual({ kind: 'f32' });
    expect(a.notes.get('c')).toEqual([
      'weights: max |x| 0.5, p100 0.5 -> fixed<1, 7>',
      'bias: max |x| 5, p100 5 -> fixed<4, 4>',
      'output: max |x| 6, p100 6 -> fixed<4, 4>',
    ]);
    expect(a.missing).toEqual([]);
  });

  it('the flags: input and logits quantized, biases in the weights\' type, weights only', () => {
    const open = assignTypes(g, policy({ keepInputF32: false, keepLogitsF32: false }), lookup);
    expect(formatNumberType(open.inputTypes.get('image')!)).toBe('fixed<2, 6>');
    expect(formatNumberType(open.types.get('logits')!.output!)).toBe('fixed<5, 3>');
    expect(formatNumberType(open.types.get('probs')!.output!)).toBe('fixed<2, 6>');
    const same = assignTypes(g, policy({ bias: 'same' }), lookup);
    expect(same.types.get('c')!.bias).toEqual(same.types.get('c')!.weights);
    expect(same.decisions.find((d) => d.layer === 'c' && d.slot === 'bias')!.how).toBe('same-as-weights');
    const weightsOnly = assignTypes(g, policy({ activations: false }), lookup);
    expect(weightsOnly.decisions.map((d) => d.slot)).toEqual(['weights', 'bias', 'weights', 'bias']);
    expect(weightsOnly.types.get('t')).toEqual({});
  });

  it('widths: weights and activations separately', () => {
    const a = assignTypes(g, policy({ weightBits: 4, actBits: 12 }), lookup);
    expect(formatNumberType(a.types.get('c')!.weights!)).toBe('fixed<1, 3>');
    expect(formatNumberType(a.types.get('c')!.output!)).toBe('fixed<4, 8>');
  });

  it('with keepTypes, a layer that declares types keeps them and gets no new one; the others are chosen', () => {
    const a = assignTypes(g, policy({ keepTypes: true }), lookup);
    expect(decided(a)).toEqual([
      'c weights fixed<2, 6> kept',
      'c output fixed<4, 4> kept',
      't output fixed<1, 7> chosen',
      'logits weights fixed<2, 6> chosen',
      'logits bias fixed<1, 7> chosen',
    ]);
    expect(a.types.get('c')).toEqual({ weights: g.nodes[0].types.weights, output: g.nodes[0].types.output });
    expect(a.notes.get('c')).toEqual(['kept as declared: weights: fixed<2, 6>, -> fixed<4, 4>']);
  });

  it('lists what needs calibration, and reports tensors without statistics', () => {
    expect(tensorsToCalibrate(g, policy())).toEqual(['c.weights', 'c.bias', 'c', 't', 'logits.weights', 'logits.bias']);
    expect(tensorsToCalibrate(g, policy({ keepTypes: true, activations: false }))).toEqual(['logits.weights', 'logits.bias']);
    const a = assignTypes(g, policy(), (t) => (t === 't' ? undefined : lookup(t)));
    expect(a.missing).toEqual(['t']);
    expect(a.types.get('t')).toEqual({});
  });

  it('the logits side: what the losses read first, and everything computed from it', () => {
    expect([...logitsSide(g)].sort()).toEqual(['logits', 'probs']);
  });
});
