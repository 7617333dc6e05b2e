import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { printGraph } from '../../src/ir/print.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { fixed } from '../../src/numeric/number-type.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { foldBatchNorm } from '../../src/passes/fold-batch-norm.js';
import { applyParamTransforms } from '../../src/passes/param-transforms.js';
import { runPipeline } from '../../src/passes/pipeline.js';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { randomTensor, testRandom } from '../helpers/gradcheck.js';
import { runForward } from '../helpers/graph-exec.js';

/** Random stored tensors for every parameter: variances positive, scale_factor as given. */
function randomParams(g: Graph, seed: number, scaleFactor = 2): Map<string, Tensor> {
  const rand = testRandom(seed);
  const m = new Map<string, Tensor>();
  for (const id of g.params) {
    const v = g.values.get(id)!;
    const t = randomTensor(v.type.shape, rand);
    if (v.param!.slot === 'variance') for (let i = 0; i < t.data.length; i++) t.data[i] = Math.fround(0.5 + Math.abs(t.data[i]));
    if (v.param!.slot === 'scale_factor') t.data[0] = scaleFactor;
    m.set(id, t);
  }
  return m;
}

function run(g: Graph, params: Map<string, Tensor>, x: Tensor, out: string): Tensor {
  return runForward(g, new Map([...params, ['x', x]])).values.get(out)!;
}

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let d = 0;
  for (let i = 0; i < a.data.length; i++) d = Math.max(d, Math.abs(a.data[i] - b.data[i]) / Math.max(1, Math.abs(b.data[i])));
  return d;
}

function convBnScale(opts: { bias?: boolean; scale?: boolean; bn?: boolean; beta?: boolean } = {}): Graph {
  const b = new GraphBuilder();
  b.input('x', [2, 3, 7, 7]);
  b.op('c1', 'conv', ['x'], { filters: 4, kernel: [3, 3], stride: [2, 2], pad: [1, 1], bias_term: opts.bias ?? true });
  let last = 'c1';
  if (opts.bn ?? true) last = b.op('bn1', 'batch_norm', [last], { eps: 1e-3 });
  if (opts.scale ?? true) last = b.op('sc1', 'scale', [last], { bias_term: opts.beta ?? true });
  b.op('r1', 'relu', [last]);
  return b.output('r1').build();
}

describe('batch-norm folding', () => {
  const x = randomTensor([2, 3, 7, 7], testRandom(7));

  for (const [name, opts] of [
    ['conv + batch_norm + scale', {}],
    ['conv without bias + batch_norm + scale', { bias: false }],
    ['conv + batch_norm', { scale: false }],
    ['conv + scale without beta', { bn: false, beta: false }],
  ] as const) {
    it(`${name}: the folded conv computes what the chain did (within 1e-5)`, () => {
      const g = convBnScale(opts);
      const stored = randomParams(g, 3);
      const folded = foldBatchNorm(g);
      expect(verifyGraph(folded)).toEqual([]);
      expect(folded.nodes.map((n) => n.op)).toEqual(['conv', 'relu']);
      const { params, missing } = applyParamTransforms(folded, stored);
      expect(missing).toEqual([]);
      expect(maxDiff(run(folded, params, x, 'r1'), run(g, stored, x, 'r1'))).toBeLessThan(1e-5);
    });
  }

  it('treats a zero scale_factor as Caffe does (statistics 0)', () => {
    const g = convBnScale();
    const stored = randomParams(g, 5, 0);
    const folded = foldBatchNorm(g);
    const { params } = applyParamTransforms(folded, stored);
    expect(maxDiff(run(folded, params, x, 'r1'), run(g, stored, x, 'r1'))).toBeLessThan(1e-5);
  });

  it('folds into a dense layer, transposed or not', () => {
    for (const transpose of [false, true]) {
      const b = new GraphBuilder();
      b.input('x', [3, 2, 2, 2]);
      b.op('f', 'dense', ['x'], { units: 5, transpose });
      b.op('bn', 'batch_norm', ['f']);
      b.op('s', 'scale', ['bn'], { bias_term: true });
      const g = b.output('s').build();
      const stored = randomParams(g, 11);
      const folded = foldBatchNorm(g);
      expect(folded.nodes.map((n) => n.op)).toEqual(['dense']);
      const { params } = applyParamTransforms(folded, stored);
      const xi = randomTensor([3, 2, 2, 2], testRandom(2));
      expect(maxDiff(run(folded, params, xi, 's'), run(g, stored, xi, 's'))).toBeLessThan(1e-5);
    }
  });

  it('records the transform and swaps the parameters for new ids', () => {
    const folded = foldBatchNorm(convBnScale());
    expect(folded.params).toEqual(['c1.weights.folded', 'c1.bias.folded']);
    expect(folded.nodes[0].inputs).toEqual(['x', 'c1.weights.folded', 'c1.bias.folded']);
    expect(folded.nodes[0].outputs).toEqual(['sc1']);
    expect(folded.values.has('c1')).toBe(false);
    expect(folded.values.has('bn1')).toBe(false);
    expect(folded.paramTransforms).toHaveLength(1);
    const t = folded.paramTransforms![0];
    expect(t.kind).toBe('fold_batch_norm');
    expect(Object.fromEntries(Object.entries(t.reads).map(([k, v]) => [k, v.id]))).toEqual({
      weights: 'c1.weights',
      bias: 'c1.bias',
      mean: 'bn1.mean',
      variance: 'bn1.variance',
      scale_factor: 'bn1.scale_factor',
      gamma: 'sc1.gamma',
      beta: 'sc1.beta',
    });
    expect(t.writes).toEqual({ weights: 'c1.weights.folded', bias: 'c1.bias.folded' });
    expect(t.attrs).toEqual({ eps: 1e-3, out_axis: 0 });
    expect(t.from).toEqual(['bn1', 'sc1']);
    expect(printGraph(folded)).toContain('transform fold_batch_norm(');
  });

  it('reports the stored tensors a loader lacks', () => {
    const folded = foldBatchNorm(convBnScale());
    const stored = randomParams(convBnScale(), 3);
    stored.delete('bn1.variance');
    expect(applyParamTransforms(folded, stored).missing).toEqual(['bn1.variance', 'c1.weights.folded', 'c1.bias.folded']);
  });

  it('leaves chains alone where folding would change the result', () => {
    const fanOut = new GraphBuilder();
    fanOut.input('x', [1, 2, 4, 4]);
    fanOut.op('c', 'conv', ['x'], { filters: 2, kernel: [1, 1] });
    fanOut.op('bn', 'batch_norm', ['c']);
    fanOut.op('other', 'relu', ['c']);
    expect(foldBatchNorm(fanOut.output('bn').output('other').build()).nodes).toHaveLength(3);

    const typed = new GraphBuilder();
    typed.input('x', [1, 2, 4, 4]);
    typed.op('c', 'conv', ['x'], { filters: 2, kernel: [1, 1] }, { output: fixed(4, 4) });
    typed.op('bn', 'batch_norm', ['c']);
    expect(foldBatchNorm(typed.output('bn').build()).nodes).toHaveLength(2);

    const batchStats = new GraphBuilder();
    batchStats.input('x', [1, 2, 4, 4]);
    batchStats.op('c', 'conv', ['x'], { filters: 2, kernel: [1, 1] });
    batchStats.op('bn', 'batch_norm', ['c'], { use_global_stats: false });
    expect(foldBatchNorm(batchStats.output('bn').build()).nodes).toHaveLength(2);

    const exposed = new GraphBuilder();
    exposed.input('x', [1, 2, 4, 4]);
    exposed.op('c', 'conv', ['x'], { filters: 2, kernel: [1, 1] });
    exposed.op('bn', 'batch_norm', ['c']);
    expect(foldBatchNorm(exposed.output('c').output('bn').build()).nodes).toHaveLength(2);
  });

  it('moves the output type of the chain to the conv, and the weight type applies to folded weights', () => {
    const b = new GraphBuilder();
    b.input('x', [1, 2, 4, 4]);
    b.op('c', 'conv', ['x'], { filters: 2, kernel: [1, 1] }, { weights: fixed(2, 6) });
    b.op('bn', 'batch_norm', ['c']);
    b.op('s', 'scale', ['bn'], {}, { output: fixed(4, 4) });
    const g = b.output('s').build();
    const folded = foldBatchNorm(g);
    expect(folded.nodes[0].types).toEqual({ weights: fixed(2, 6), output: fixed(4, 4) });
    const planned = runPipeline(g, { mode: 'inference' });
    expect(planned.ok).toBe(true);
    expect(planned.passes).toEqual(['fold-batch-norm', 'quantize-insertion', 'remove-dropout', 'accumulator', 'fusion']);
    const conv = planned.graph.nodes[0];
    expect(planned.graph.nodes).toHaveLength(1);
    expect(conv.paramQuantizers?.map((q) => q.param)).toEqual(['c.weights.folded']);
    expect(conv.epilogue?.map((e) => e.op)).toEqual(['quantize']);
  });

  it('is not run for training (batch_norm uses batch statistics there)', () => {
    const r = runPipeline(convBnScale(), { mode: 'training' });
    expect(r.graph.nodes.map((n) => n.op)).toContain('batch_norm');
    expect(r.graph.paramTransforms).toBeUndefined();
  });
});
