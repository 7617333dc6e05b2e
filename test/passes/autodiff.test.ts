import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { I32, fixed } from '../../src/numeric/number-type.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { planBackward, type BackwardPlan } from '../../src/passes/autodiff.js';
import { PASS_CODES } from '../../src/passes/codes.js';
import { runPipeline } from '../../src/passes/pipeline.js';
import { insertQuantizers } from '../../src/passes/quantize-insertion.js';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { randomTensor, testRandom } from '../helpers/gradcheck.js';
import { lossOf, runBackward, runForward } from '../helpers/graph-exec.js';

/** conv -> relu -> dense -> softmax_cross_entropy, plus an accuracy output. */
function convNet(): Graph {
  const b = new GraphBuilder();
  b.input('x', [2, 2, 5, 5]);
  b.input('label', [2], I32);
  b.op('c1', 'conv', ['x'], { filters: 3, kernel: [3, 3], stride: [2, 2], pad: [1, 1] });
  b.op('r1', 'relu', ['c1']);
  b.op('fc', 'dense', ['r1'], { units: 4 });
  b.op('xent', 'softmax_cross_entropy', ['fc', 'label']);
  b.op('acc', 'accuracy', ['fc', 'label']);
  return b.output('acc').loss('xent').build();
}

/** dense -> relu whose result feeds two dense layers that are added: the gradient at h sums two parts. */
function fanOutNet(): Graph {
  const b = new GraphBuilder();
  b.input('x', [3, 4]);
  b.input('label', [3], I32);
  b.op('d1', 'dense', ['x'], { units: 5 });
  b.op('h', 'relu', ['d1']);
  b.op('o1', 'dense', ['h'], { units: 3 });
  b.op('o2', 'dense', ['h'], { units: 3 });
  b.op('s', 'add', ['o1', 'o2']);
  b.op('xent', 'softmax_cross_entropy', ['s', 'label']);
  return b.loss('xent').build();
}

function feeds(g: Graph, seed: number): Map<string, Tensor> {
  const rand = testRandom(seed);
  const m = new Map<string, Tensor>();
  for (const id of g.params) m.set(id, randomTensor(g.values.get(id)!.type.shape, rand, 0.7));
  const x = g.values.get('x')!.type.shape;
  m.set('x', randomTensor(x, rand));
  const n = g.values.get('label')!.type.shape[0];
  m.set('label', tensorFrom([n], Array.from({ length: n }, (_, i) => i % 3)));
  return m;
}

/** Plan gradients of every trained parameter vs central differences of the loss. */
function checkAgainstFiniteDifferences(g: Graph, plan: BackwardPlan, seed: number): void {
  const f = feeds(g, seed);
  const state = runForward(g, f, { training: true });
  const grads = runBackward(g, plan, state);
  const h = 1e-3;
  let checked = 0;
  for (const [param, gid] of plan.paramGrads) {
    const t = f.get(param)!;
    const analytic = grads.get(gid)!;
    expect(analytic.shape).toEqual(t.shape);
    for (let i = 0; i < t.data.length; i++) {
      const orig = t.data[i];
      t.data[i] = orig + h;
      const up = lossOf(g, runForward(g, f, { training: true }));
      t.data[i] = orig - h;
      const down = lossOf(g, runForward(g, f, { training: true }));
      t.data[i] = orig;
      const numeric = (up - down) / (2 * h);
      expect(Math.abs(analytic.data[i] - numeric), `${param}[${i}]: ${analytic.data[i]} vs ${numeric}`).toBeLessThanOrEqual(1e-3 + 1e-2 * Math.abs(numeric));
      checked++;
    }
  }
  expect(checked).toBeGreaterThanOrEqual(10);
}

describe('autodiff', () => {
  it('plans steps in reverse order, skipping the image, the labels and the metric', () => {
    const r = runPipeline(convNet(), { mode: 'training' });
    expect(r.ok).toBe(true);
    const plan = r.backward!;
    expect(plan.seeds).toEqual([{ loss: 'xent', grad: 'xent.grad' }]);
    expect(plan.steps.map((s) => s.node)).toEqual(['xent', 'fc', 'c1']);
    const [xent, fc, c1] = plan.steps;
    expect(xent).toEqual({ node: 'xent', gradOutputs: ['xent.grad'], gradInputs: ['fc.grad', undefined], gradParams: [], accumulate: [] });
    expect(fc.gradInputs).toEqual(['r1.grad']);
    expect(fc.gradParams).toEqual(['fc.weights.grad', 'fc.bias.grad']);
    // c1 is fused with its relu: one step, no gradient for the image
    expect(c1).toEqual({ node: 'c1', gradOutputs: ['r1.grad'], gradInputs: [undefined], gradParams: ['c1.weights.grad', 'c1.bias.grad'], accumulate: [] });
    expect([...plan.paramGrads.keys()].sort()).toEqual(['c1.bias', 'c1.weights', 'fc.bias', 'fc.weights']);
    expect(plan.gradients.get('r1.grad')).toEqual({ of: 'r1', shape: [2, 3, 3, 3] });
  });

  it('matches finite differences on a conv + relu + dense net (fused)', () => {
    const r = runPipeline(convNet(), { mode: 'training' });
    checkAgainstFiniteDifferences(r.graph, r.backward!, 21);
  });

  it('sums fan-out gradients and matches finite differences', () => {
    const r = runPipeline(fanOutNet(), { mode: 'training' });
    const plan = r.backward!;
    const o1 = plan.steps.find((s) => s.node === 'o1')!;
    const o2 = plan.steps.find((s) => s.node === 'o2')!;
    expect(plan.steps.indexOf(o2)).toBeLessThan(plan.steps.indexOf(o1));
    expect(o2.accumulate).toEqual([]);
    expect(o1.accumulate).toEqual(['h.grad']);
    checkAgainstFiniteDifferences(r.graph, plan, 4);
  });

  it('adds within one step when a node reads the same value twice', () => {
    const b = new GraphBuilder();
    b.input('x', [2, 3]);
    b.input('label', [2], I32);
    b.op('d', 'dense', ['x'], { units: 3 });
    b.op('s', 'add', ['d', 'd']);
    b.op('xent', 'softmax_cross_entropy', ['s', 'label']);
    const g = b.loss('xent').build();
    const plan = planBackward(g).plan!;
    const s = plan.steps.find((x) => x.node === 's')!;
    expect(s.gradInputs).toEqual(['d.grad', 'd.grad']);
    expect(s.accumulate).toEqual([]);
    checkAgainstFiniteDifferences(g, plan, 8);
  });

  it('passes gradients straight through quantize nodes to the f32 masters', () => {
    const b = new GraphBuilder();
    b.input('x', [2, 4]);
    b.input('label', [2], I32);
    b.op('fc', 'dense', ['x'], { units: 3 }, { weights: fixed(2, 6) });
    b.op('xent', 'softmax_cross_entropy', ['fc', 'label']);
    const g = insertQuantizers(b.loss('xent').build());
    const plan = planBackward(g).plan!;
    expect(plan.steps.map((s) => s.node)).toEqual(['xent', 'fc', 'fc.weights.q']);
    expect(plan.steps[1].gradParams).toEqual(['fc.weights.q.grad', 'fc.bias.grad']);
    expect(plan.steps[2].gradInputs).toEqual(['fc.weights.grad']);
    expect(plan.paramGrads.get('fc.weights')).toBe('fc.weights.grad');
    const f = feeds(g, 3);
    const grads = runBackward(g, plan, runForward(g, f, { training: true }));
    expect([...grads.get('fc.weights.grad')!.data]).toEqual([...grads.get('fc.weights.q.grad')!.data]);
    // the fused form computes the same master gradient
    const fused = runPipeline(b.build(), { mode: 'training' });
    const fg = runBackward(fused.graph, fused.backward!, runForward(fused.graph, f, { training: true }));
    expect([...fg.get('fc.weights.grad')!.data]).toEqual([...grads.get('fc.weights.grad')!.data]);
  });

  it('plans nothing for frozen parameters', () => {
    const b = new GraphBuilder();
    b.input('x', [2, 4]);
    b.input('label', [2], I32);
    b.op('f1', 'dense', ['x'], { units: 3, weight_lr_mult: 0, bias_lr_mult: 0 });
    b.op('f2', 'dense', ['f1'], { units: 3 });
    b.op('xent', 'softmax_cross_entropy', ['f2', 'label']);
    const { plan, diagnostics } = planBackward(b.loss('xent').build());
    expect(diagnostics).toEqual([]);
    expect(plan!.steps.map((s) => s.node)).toEqual(['xent', 'f2']);
    expect(plan!.steps[1].gradInputs).toEqual([undefined]);
  });

  it('reports a missing loss, a metric used as a loss, and parameters that get no gradient', () => {
    const none = new GraphBuilder();
    none.input('x', [2, 4]);
    none.op('fc', 'dense', ['x'], { units: 3 });
    const r = runPipeline(none.output('fc').build(), { mode: 'training' });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.code)).toEqual([PASS_CODES.NO_LOSS]);
    expect(r.diagnostics[0].hint).toContain('--mode inference');

    const metric = new GraphBuilder();
    metric.input('x', [2, 4]);
    metric.input('label', [2], I32);
    metric.op('fc', 'dense', ['x'], { units: 3 });
    metric.op('acc', 'accuracy', ['fc', 'label']);
    expect(planBackward(metric.loss('acc').build()).diagnostics.map((d) => d.code)).toEqual([PASS_CODES.LOSS_NOT_DIFFERENTIABLE]);

    const side = new GraphBuilder();
    side.input('x', [2, 4]);
    side.input('label', [2], I32);
    side.op('fc', 'dense', ['x'], { units: 3 });
    side.op('unused', 'dense', ['x'], { units: 2, bias_term: false });
    side.op('xent', 'softmax_cross_entropy', ['fc', 'label']);
    const d = planBackward(side.output('unused').loss('xent').build()).diagnostics;
    expect(d.map((x) => [x.code, x.severity])).toEqual([[PASS_CODES.PARAM_GETS_NO_GRADIENT, 'warning']]);
    expect(d[0].message).toContain("'unused.weights'");
  });
});
