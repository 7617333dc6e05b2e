import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { printGraph } from '../../src/ir/print.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { lowerSource } from '../../src/lower/front-end.js';
import { fixed } from '../../src/numeric/number-type.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { runPipeline } from '../../src/passes/pipeline.js';
import { removeInferenceDropout } from '../../src/passes/remove-dropout.js';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { randomTensor, testRandom } from '../helpers/gradcheck.js';
import { runForward } from '../helpers/graph-exec.js';

const A8 = fixed(4, 4);

/** dense -> relu -> dropout -> dropout -> dense, then a dropout on the logits that is a graph output and feeds softmax. */
function mlp(): Graph {
  const b = new GraphBuilder();
  b.input('x', [3, 5]);
  b.op('h', 'dense', ['x'], { units: 6 });
  b.op('r', 'relu', ['h']);
  b.op('d1', 'dropout', ['r'], { ratio: 0.5 });
  b.op('d2', 'dropout', ['d1'], { ratio: 0.2 });
  b.op('logits', 'dense', ['d2'], { units: 4 });
  b.op('dl', 'dropout', ['logits']);
  b.op('probs', 'softmax', ['dl']);
  return b.output('probs').output('dropped', 'dl').build();
}

function feeds(g: Graph): Map<string, Tensor> {
  const rand = testRandom(7);
  const m = new Map<string, Tensor>([['x', randomTensor([3, 5], rand, 1)]]);
  for (const id of g.params) m.set(id, randomTensor(g.values.get(id)!.type.shape, rand, 0.5));
  return m;
}

describe('remove-dropout', () => {
  it('removes every dropout and rewires its readers, graph outputs included, to its input', () => {
    const { graph, removed } = removeInferenceDropout(mlp());
    expect(verifyGraph(graph)).toEqual([]);
    expect(removed).toEqual(['d1', 'd2', 'dl']);
    expect(graph.nodes.map((n) => `${n.id}(${n.inputs.join(', ')})`)).toEqual([
      'h(x, h.weights, h.bias)',
      'r(h)',
      'logits(r, logits.weights, logits.bias)',
      'probs(logits)',
    ]);
    expect(graph.outputs).toEqual([
      { name: 'probs', value: 'probs' },
      { name: 'dropped', value: 'logits' },
    ]);
    for (const id of ['d1', 'd2', 'dl']) expect(graph.values.has(id)).toBe(false);
  });

  it('computes what the graph with its dropouts computes at inference', () => {
    const g = mlp();
    const f = feeds(g);
    const before = runForward(g, f, { training: false });
    const after = runForward(removeInferenceDropout(g).graph, f, { training: false });
    expect([...after.values.get('probs')!.data]).toEqual([...before.values.get('probs')!.data]);
    expect([...after.values.get('logits')!.data]).toEqual([...before.values.get('dl')!.data]);
    // dropout is not the identity in training, which is why the pass is inference-only
    const training = runForward(g, f, { training: true, seed: 5, step: 1 });
    expect([...training.values.get('d1')!.data]).not.toEqual([...training.values.get('r')!.data]);
  });

  it('does not modify its input graph', () => {
    const g = mlp();
    const text = printGraph(g);
    removeInferenceDropout(g);
    expect(printGraph(g)).toBe(text);
  });

  it('keeps a dropout that still converts its value, or that would make an output an alias of an input', () => {
    const b = new GraphBuilder();
    b.input('x', [2, 4]);
    b.op('declared', 'dropout', ['x'], {}, { output: A8 }); // `-> A8` not yet made a quantize node
    b.op('t', 'tanh', ['declared']);
    b.op('converts', 'dropout', ['t']);
    b.op('direct', 'dropout', ['x']); // a graph output computed from the input alone
    const g = b.output('converts').output('direct').build();
    g.values.get('converts')!.type.dtype = A8; // as if an earlier rewrite had typed it
    const { graph, removed } = removeInferenceDropout(g);
    expect(removed).toEqual([]);
    expect(graph.nodes.map((n) => n.id)).toEqual(['declared', 't', 'converts', 'direct']);
  });

  it('removes a dropout of a graph input whose output only feeds other nodes', () => {
    const b = new GraphBuilder();
    b.input('x', [2, 4]);
    b.op('d', 'dropout', ['x']);
    b.op('y', 'relu', ['d']);
    const { graph, removed } = removeInferenceDropout(b.output('y').build());
    expect(removed).toEqual(['d']);
    expect(graph.nodes[0].inputs).toEqual(['x']);
    expect(verifyGraph(graph)).toEqual([]);
  });

  it('runs in the inference pipeline after quantize insertion: a declared dropout type survives, and fuses', () => {
    const src = `
      type A4 = fixed<3, 1>
      net D(batch: int = 2) {
        input x: f32[batch, 8]
        input label: i32[batch]
        h = tanh(dense(x, units: 6))
        d = dropout(h, ratio: 0.5) -> A4
        logits = dense(dropout(d), units: 3)
        output probs = softmax(logits)
        loss xent = softmax_cross_entropy(logits, label)
      }`;
    const lowered = lowerSource(src, 'd.lpnet');
    expect(lowered.diagnostics).toEqual([]);
    const g = lowered.graphs[0];
    const inference = runPipeline(g, { mode: 'inference' });
    expect(inference.ok).toBe(true);
    expect(inference.passes).toEqual(['fold-batch-norm', 'quantize-insertion', 'remove-dropout', 'accumulator', 'fusion']);
    expect(inference.removedDropout).toEqual(['d', 'logits.dropout']);
    const nodes = inference.graph.nodes;
    expect(nodes.some((n) => n.op === 'dropout')).toBe(false);
    // dense -> tanh -> (dropout) -> quantize to A4: with the dropout gone, the declared A4 is the
    // last link of dense's epilogue chain, and the fused node still writes `d` as A4
    const dense = nodes.find((n) => n.id === 'h.dense')!;
    expect(dense.outputs).toEqual(['d']);
    expect(dense.epilogue?.map((e) => e.op)).toEqual(['tanh', 'quantize']);
    expect(dense.epilogue?.[1].type).toEqual(fixed(3, 1));
    expect(inference.graph.values.get('d')!.type.dtype).toEqual(fixed(3, 1));
    expect(nodes.find((n) => n.id === 'logits')!.inputs[0]).toBe('d');

    const training = runPipeline(g, { mode: 'training' });
    expect(training.ok).toBe(true);
    expect(training.passes).not.toContain('remove-dropout');
    expect(training.removedDropout).toBeUndefined();
    expect(training.graph.nodes.filter((n) => n.op === 'dropout')).toHaveLength(2);
  });
});
