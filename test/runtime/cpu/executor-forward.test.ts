import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../../src/diag/diagnostic.js';
import { runForward } from '../../../src/runtime/cpu/executor.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { quantizeValue } from '../../../src/numeric/quantize.js';
import { fixed } from '../../../src/numeric/number-type.js';
import type { Tensor } from '../../../src/numeric/tensor.js';
import { testRandom, randomTensor } from '../../helpers/gradcheck.js';
import { lowerNet, pipelined, tensor } from '../helpers/nets.js';

const HAND = `
type W = fixed<2, 2>
type A = fixed<4, 2>
net Hand() {
  input x: f32[1, 1, 3, 3]
  c = relu(conv(x, filters: 1, kernel: 2, weights: W)) -> A
  y = dense(c, units: 2)
  output y
  output c
}`;

function handWeights(): Map<string, Tensor> {
  return new Map([
    // Q_W: 0.3 -> 0.25, -0.6 -> -0.5, 0.9 -> 1, 0.1 -> 0 (nearest on the 0.25 grid)
    ['c.conv.weights', tensor([1, 1, 2, 2], [0.3, -0.6, 0.9, 0.1])],
    ['c.conv.bias', tensor([1], [0.1])],
    ['y.weights', tensor([2, 4], [1, 0, 0, 0, 0.5, 0.5, -1, 2])],
    ['y.bias', tensor([2], [0, 1])],
  ]);
}

const handInputs = () => new Map([['x', tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9])]]);

describe('CPU executor: forward', () => {
  it('matches a hand computation on a fused, quantized net', () => {
    const planned = pipelined(lowerNet(HAND), 'inference');
    // the conv absorbed its weight quantizer, relu and the output quantizer
    expect(planned.graph.nodes.map((n) => n.op)).toEqual(['conv', 'dense']);
    const r = runForward(planned.graph, handWeights(), handInputs(), { training: false, seed: 1, step: 0 });
    // conv with Q(W) = [0.25, -0.5, 1, 0] + 0.1: 3.35 4.1 5.6 6.35; quantized to fixed<4, 2> (nearest)
    expect([...r.outputs.get('c')!.data]).toEqual([3.25, 4, 5.5, 6.25]);
    // dense: [3.25, 0.5*3.25 + 0.5*4 - 5.5 + 2*6.25 + 1]
    expect([...r.outputs.get('y')!.data]).toEqual([3.25, 11.625]);
    expect(r.outputs.get('y')!.shape).toEqual([1, 2]);
  });

  it('gives the same values on the lowered graph, applying declared types itself', () => {
    const lowered = lowerNet(HAND);
    const planned = pipelined(lowered, 'inference');
    const a = runForward(lowered, handWeights(), handInputs(), { training: false, seed: 1, step: 0 });
    const b = runForward(planned.graph, handWeights(), handInputs(), { training: false, seed: 1, step: 0 });
    expect([...a.outputs.get('c')!.data]).toEqual([...b.outputs.get('c')!.data]);
    expect([...a.outputs.get('y')!.data]).toEqual([...b.outputs.get('y')!.data]);
  });

  it('keeps fixed-point values exact multiples of 2^-F within range', () => {
    const src = `
      type W = fixed<2, 6>
      type A = fixed<3, 5>
      net Deep(batch: int = 3) {
        input x: f32[batch, 2, 7, 7]
        c1 = relu(conv(x, filters: 4, kernel: 3, stride: 2, pad: 1, weights: W, bias: W)) -> A
        p1 = max_pool(c1, kernel: 2, stride: 2)
        c2 = conv(p1, filters: 3, kernel: 1, weights: W) -> A
        f = dense(c2, units: 5, weights: W) -> A
        output f
      }`;
    const lowered = lowerNet(src);
    const planned = pipelined(lowered, 'inference');
    const weights = initWeights(lowered, 3);
    const x = randomTensor([3, 2, 7, 7], testRandom(9), 3);
    const r = runForward(planned.graph, weights, new Map([['x', x]]), { training: false, seed: 3, step: 0 });
    for (const id of ['c1', 'p1', 'c2', 'f']) {
      const t = r.values.get(id)!;
      expect(t.data.length).toBeGreaterThan(0);
      for (const v of t.data) {
        expect(Number.isInteger(v * 32)).toBe(true);
        expect(Math.abs(v)).toBeLessThanOrEqual(4 - 1 / 32);
      }
    }
    // the second conv sums fixed-point products exactly (i32 accumulator)
    expect(planned.graph.nodes.find((n) => n.outputs.includes('c2'))?.accumulator?.kind).toBe('i32');
  });

  it('rounds stochastically: reproducible for a seed and step, different across steps and seeds', () => {
    const src = `
      type S = fixed<2, 4, round: stochastic>
      net Sto() {
        input x: f32[4, 8]
        d = dense(x, units: 6, weights: S) -> S
        q = tanh(x) -> S
        output d
        output q
      }`;
    const lowered = lowerNet(src);
    const g = pipelined(lowered, 'inference').graph;
    const weights = initWeights(lowered, 5);
    const x = randomTensor([4, 8], testRandom(3), 1);
    const run = (seed: number, step: number, training = true) => runForward(g, weights, new Map([['x', x]]), { training, seed, step });
    const a = run(7, 0);
    const again = run(7, 0);
    const nextStep = run(7, 1);
    const otherSeed = run(8, 0);
    for (const name of ['d', 'q']) {
      const va = [...a.outputs.get(name)!.data];
      expect([...again.outputs.get(name)!.data]).toEqual(va);
      expect([...nextStep.outputs.get(name)!.data]).not.toEqual(va);
      expect([...otherSeed.outputs.get(name)!.data]).not.toEqual(va);
      for (const v of va) expect(Number.isInteger(v * 16)).toBe(true);
    }
    // each stochastic value is the floor or the ceiling of tanh(x) on the 1/16 grid
    const q = a.outputs.get('q')!.data;
    x.data.forEach((xi, i) => {
      const y = Math.fround(Math.tanh(xi)) * 16;
      expect([Math.floor(y) / 16, Math.ceil(y) / 16]).toContain(q[i]);
    });
    // at inference, stochastic types round to nearest
    const inf = run(7, 0, false).outputs.get('q')!.data;
    const expected = [...x.data].map((xi) => quantizeValue(Math.fround(Math.tanh(xi)), fixed(2, 4)));
    expect([...inf]).toEqual(expected);
  });

  it('reports missing and misshapen tensors, all at once', () => {
    const g = pipelined(lowerNet(HAND), 'inference').graph;
    const weights = handWeights();
    weights.delete('y.bias');
    weights.set('y.weights', tensor([4, 2], [1, 0, 0, 0, 0.5, 0.5, -1, 2]));
    try {
      runForward(g, weights, new Map(), { training: false, seed: 1, step: 0 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiagnosticError);
      expect((e as DiagnosticError).diagnostics.map((d) => d.code).sort()).toEqual(['LPC3060', 'LPC3061', 'LPC3064']);
    }
  });

  it('reports labels outside the class range at the loss', () => {
    const src = `
      net L() {
        input x: f32[2, 3]
        input label: i32[2]
        loss xent = softmax_cross_entropy(x, label)
      }`;
    const g = pipelined(lowerNet(src, 'labels.lpnet'), 'inference').graph;
    const inputs = new Map([
      ['x', tensor([2, 3], [1, 2, 3, 4, 5, 6])],
      ['label', tensor([2], [1, 3])],
    ]);
    try {
      runForward(g, new Map(), inputs, { training: false, seed: 1, step: 0 });
      expect.unreachable();
    } catch (e) {
      const d = (e as DiagnosticError).diagnostics[0];
      expect(d.code).toBe('LPC3066');
      expect(d.message).toMatch(/label 3 at position 1 is not a class index in 0\.\.2/);
      expect(d.span?.file).toBe('labels.lpnet');
    }
  });
});
