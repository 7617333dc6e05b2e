import { describe, expect, it } from 'vitest';
import type { Graph } from '../../../src/ir/graph.js';
import { fixed } from '../../../src/numeric/number-type.js';
import { quantizeTensor } from '../../../src/numeric/quantize.js';
import type { Tensor } from '../../../src/numeric/tensor.js';
import type { BackwardPlan } from '../../../src/passes/autodiff.js';
import { runBackward, runForward } from '../../../src/runtime/cpu/executor.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { randomTensor, testRandom } from '../../helpers/gradcheck.js';
import { lowerNet, pipelined, tensor } from '../helpers/nets.js';

function lossOf(g: Graph, weights: Map<string, Tensor>, inputs: Map<string, Tensor>): number {
  return runForward(g, weights, inputs, { training: true, seed: 1, step: 0 }).losses.get('xent')!.data[0];
}

function gradients(g: Graph, plan: BackwardPlan, weights: Map<string, Tensor>, inputs: Map<string, Tensor>): Map<string, Tensor> {
  const fwd = runForward(g, weights, inputs, { training: true, seed: 1, step: 0 });
  return runBackward(g, plan, fwd).paramGrads;
}

describe('CPU executor: backward', () => {
  it('matches central differences of the loss for every parameter of a small net', () => {
    // smooth ops (tanh, sigmoid, avg_pool) keep finite differences meaningful; `t` fans out to two
    // readers, so its gradient is the sum of both paths
    const src = `
      net Tiny(batch: int = 2) {
        input x: f32[batch, 2, 5, 5]
        input label: i32[batch]
        c = conv(x, filters: 3, kernel: 3, stride: 2, pad: 1)
        t = tanh(c)
        s = add(t, sigmoid(t))
        p = avg_pool(s, kernel: 2, stride: 1)
        logits = dense(p, units: 4)
        loss xent = softmax_cross_entropy(logits, label)
      }`;
    const lowered = lowerNet(src);
    const planned = pipelined(lowered, 'training');
    const g = planned.graph;
    const plan = planned.backward!;
    const rand = testRandom(11);
    const weights = initWeights(lowered, 4);
    // non-zero biases so their gradients are exercised away from the constant filler
    for (const id of ['c.bias', 'logits.bias']) weights.set(id, randomTensor(weights.get(id)!.shape, rand, 0.5));
    const inputs = new Map([
      ['x', randomTensor([2, 2, 5, 5], rand, 1)],
      ['label', tensor([2], [3, 1])],
    ]);
    const grads = gradients(g, plan, weights, inputs);
    expect([...grads.keys()].sort()).toEqual(['c.bias', 'c.weights', 'logits.bias', 'logits.weights']);

    const h = 1e-2;
    let checked = 0;
    for (const [id, grad] of grads) {
      const w = weights.get(id)!;
      expect(grad.shape).toEqual(w.shape);
      for (let i = 0; i < w.data.length; i++) {
        const orig = w.data[i];
        w.data[i] = orig + h;
        const up = lossOf(g, weights, inputs);
        w.data[i] = orig - h;
        const down = lossOf(g, weights, inputs);
        w.data[i] = orig;
        const numeric = (up - down) / (2 * h);
        expect(Math.abs(grad.data[i] - numeric), `${id}[${i}]: ${grad.data[i]} vs ${numeric}`).toBeLessThanOrEqual(2e-3 + 2e-2 * Math.abs(numeric));
        checked++;
      }
    }
    expect(checked).toBe(3 * 2 * 9 + 3 + 4 * 3 * 2 * 2 + 4);
  });

  it('passes gradients straight through weight quantizers to the f32 masters', () => {
    // dL/dW of the master equals dL/dW of an f32 net that runs with Q(W) (identity STE), and the
    // input gradient of the second layer uses Q(W), as the forward pass did
    const body = (types: string) => `
      type W = fixed<2, 3>
      net N() {
        input x: f32[3, 6]
        input label: i32[3]
        h = dense(x, units: 5${types})
        t = tanh(h)
        logits = dense(t, units: 4${types})
        loss xent = softmax_cross_entropy(logits, label)
      }`;
    const quantizedNet = lowerNet(body(', weights: W'));
    const floatNet = lowerNet(body(''));
    const q = pipelined(quantizedNet, 'training');
    const f = pipelined(floatNet, 'training');
    const weights = initWeights(quantizedNet, 2);
    const rand = testRandom(5);
    const inputs = new Map([
      ['x', randomTensor([3, 6], rand, 2)],
      ['label', tensor([3], [0, 3, 2])],
    ]);
    const masterGrads = gradients(q.graph, q.backward!, weights, inputs);
    const rounded = new Map(weights);
    for (const id of ['h.weights', 'logits.weights']) {
      const w = weights.get(id)!;
      rounded.set(id, { shape: w.shape, data: quantizeTensor(w.data, fixed(2, 3)) });
    }
    const floatGrads = gradients(f.graph, f.backward!, rounded, inputs);
    for (const id of ['h.weights', 'h.bias', 'logits.weights', 'logits.bias']) {
      expect([...masterGrads.get(id)!.data], id).toEqual([...floatGrads.get(id)!.data]);
    }
    // and the quantization mattered: the f32 net at the unrounded weights has other gradients
    const unrounded = gradients(f.graph, f.backward!, weights, inputs);
    expect([...unrounded.get('h.weights')!.data]).not.toEqual([...masterGrads.get('h.weights')!.data]);
  });

  it('reuses the forward pass\'s dropout mask and stochastic draws', () => {
    const src = `
      type S = fixed<3, 4, round: stochastic>
      net D() {
        input x: f32[4, 10]
        input label: i32[4]
        h = dense(x, units: 8) -> S
        d = dropout(h, ratio: 0.5)
        logits = dense(d, units: 3)
        loss xent = softmax_cross_entropy(logits, label)
      }`;
    const lowered = lowerNet(src);
    const planned = pipelined(lowered, 'training');
    const weights = initWeights(lowered, 8);
    const inputs = new Map([
      ['x', randomTensor([4, 10], testRandom(21), 1)],
      ['label', tensor([4], [0, 1, 2, 1])],
    ]);
    const fwd = runForward(planned.graph, weights, inputs, { training: true, seed: 3, step: 2 });
    const back = runBackward(planned.graph, planned.backward!, fwd);
    // a unit dropped in the forward pass (d = 0 where h != 0) passes no gradient to h
    const h = fwd.values.get('h')!.data;
    const d = fwd.values.get('d')!.data;
    const gh = back.gradients.get('h.grad')!.data;
    let dropped = 0;
    for (let i = 0; i < h.length; i++) {
      if (h[i] !== 0 && d[i] === 0) {
        dropped++;
        expect(gh[i]).toBe(0);
      }
    }
    expect(dropped).toBeGreaterThan(0);
    // the same step replays the same gradients
    const again = runBackward(planned.graph, planned.backward!, runForward(planned.graph, weights, inputs, { training: true, seed: 3, step: 2 }));
    expect([...again.paramGrads.get('h.weights')!.data]).toEqual([...back.paramGrads.get('h.weights')!.data]);
  });

  it('reports a plan that does not belong to the forward pass', () => {
    const src = `
      net P() {
        input x: f32[2, 3]
        input label: i32[2]
        logits = dense(x, units: 3)
        loss xent = softmax_cross_entropy(logits, label)
      }`;
    const lowered = lowerNet(src);
    const planned = pipelined(lowered, 'training');
    const fwd = runForward(planned.graph, initWeights(lowered, 1), new Map([['x', tensor([2, 3], [1, 2, 3, 4, 5, 6])], ['label', tensor([2], [0, 2])]]), { training: true, seed: 1, step: 0 });
    const plan: BackwardPlan = { ...planned.backward!, steps: [{ node: 'nowhere', gradOutputs: ['x.grad'], gradInputs: [], gradParams: [], accumulate: [] }] };
    expect(() => runBackward(planned.graph, plan, fwd)).toThrowError(/LPC3065/);
  });
});
