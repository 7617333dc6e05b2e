import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { F32, I32, fixed } from '../../src/numeric/number-type.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { fuseGraph } from '../../src/passes/fusion.js';
import { insertQuantizers } from '../../src/passes/quantize-insertion.js';
import { GraphBuilder } from '../helpers/graph-builder.js';
import { randomTensor, testRandom } from '../helpers/gradcheck.js';
import { runForward } from '../helpers/graph-exec.js';

const W8 = fixed(2, 6);
const A8 = fixed(4, 4);

/** conv -> relu -> (A8) then dense + relu + A8, as lowering writes `relu(conv(...)) -> A8`. */
function chainNet(): Graph {
  const b = new GraphBuilder();
  b.input('x', [2, 3, 6, 6]);
  b.op('c1.conv', 'conv', ['x'], { filters: 4, kernel: [3, 3] }, { weights: W8, bias: fixed(4, 8) });
  b.op('c1', 'relu', ['c1.conv'], {}, { output: A8 });
  b.op('p1', 'max_pool', ['c1'], { kernel: [2, 2], stride: [2, 2] });
  b.op('f1.dense', 'dense', ['p1'], { units: 6 }, { weights: W8, output: A8 });
  b.op('f1', 'tanh', ['f1.dense']);
  b.op('f2', 'dense', ['f1'], { units: 3 });
  return b.output('f2').build();
}

function params(g: Graph): Map<string, Tensor> {
  const rand = testRandom(99);
  return new Map(g.params.map((id) => [id, randomTensor(g.values.get(id)!.type.shape, rand, 0.5)]));
}

describe('fusion', () => {
  it('fuses anchor + activation + output quantize chains and absorbs parameter quantizers', () => {
    const q = insertQuantizers(chainNet());
    const { graph, report } = fuseGraph(q);
    expect(verifyGraph(graph)).toEqual([]);
    expect(graph.nodes.map((n) => `${n.id}:${n.op}->${n.outputs[0]}`)).toEqual(['c1.conv:conv->c1', 'p1:max_pool->p1', 'f1.dense:dense->f1', 'f2:dense->f2']);
    const c1 = graph.nodes[0];
    expect(c1.inputs).toEqual(['x', 'c1.conv.weights', 'c1.conv.bias']);
    expect(c1.paramQuantizers?.map((p) => [p.param, p.type, p.from])).toEqual([
      ['c1.conv.weights', W8, 'c1.conv.weights.q'],
      ['c1.conv.bias', fixed(4, 8), 'c1.conv.bias.q'],
    ]);
    expect(c1.epilogue?.map((e) => [e.op, e.inType, e.type, e.from])).toEqual([
      ['relu', F32, F32, 'c1'],
      ['quantize', F32, A8, 'c1.q'],
    ]);
    expect(graph.nodes[2].epilogue?.map((e) => e.op)).toEqual(['quantize', 'tanh']);
    expect(report).toEqual({
      nodesBefore: q.nodes.length,
      nodesAfter: 4,
      fused: [
        { node: 'c1.conv', epilogue: ['relu', 'quantize'], paramQuantizers: ['c1.conv.weights.q', 'c1.conv.bias.q'] },
        { node: 'f1.dense', epilogue: ['quantize', 'tanh'], paramQuantizers: ['f1.dense.weights.q'] },
      ],
    });
    expect(report.nodesBefore).toBe(11);
    // no derived copies or intermediate values remain
    expect([...graph.values.keys()].filter((k) => k.endsWith('.q') || k.endsWith('.pre') || k === 'c1.conv')).toEqual([]);
  });

  it('computes exactly what the unfused graph computes', () => {
    const q = insertQuantizers(chainNet());
    const fused = fuseGraph(q).graph;
    const feeds = new Map([...params(q), ['x', randomTensor([2, 3, 6, 6], testRandom(5))]]);
    const a = runForward(q, feeds).values.get('f2')!;
    const b = runForward(fused, feeds).values.get('f2')!;
    expect([...b.data]).toEqual([...a.data]);
  });

  it('does not fuse past a value with two consumers or a graph output', () => {
    const b = new GraphBuilder();
    b.input('x', [2, 4]);
    b.op('d', 'dense', ['x'], { units: 3 });
    b.op('r', 'relu', ['d']);
    b.op('s', 'sigmoid', ['r']);
    b.op('t', 'tanh', ['r']);
    b.op('d2', 'dense', ['x'], { units: 3 });
    b.op('r2', 'relu', ['d2']);
    b.op('u', 'relu', ['r2']);
    const g = b.output('s').output('t').output('r2').output('u').build();
    const { graph, report } = fuseGraph(g);
    expect(graph.nodes.map((n) => n.id)).toEqual(['d', 's', 't', 'd2', 'u']);
    expect(graph.nodes[0].epilogue?.map((e) => e.op)).toEqual(['relu']);
    expect(graph.nodes[3].epilogue?.map((e) => e.op)).toEqual(['relu']);
    expect(report.fused.map((f) => f.node)).toEqual(['d', 'd2']);
  });

  it('does not fuse ops that are not epilogues; any non-loss node may start a chain', () => {
    const b = new GraphBuilder();
    b.input('x', [1, 2, 4, 4]);
    b.input('label', [1], I32);
    b.op('c', 'conv', ['x'], { filters: 2, kernel: [1, 1] });
    b.op('p', 'max_pool', ['c'], { kernel: [2, 2] });
    b.op('r', 'relu', ['p']);
    b.op('f', 'flatten', ['r']);
    b.op('xent', 'softmax_cross_entropy', ['f', 'label']);
    b.op('t', 'tanh', ['xent']);
    const { graph, report } = fuseGraph(b.output('t').build());
    // conv is followed by a pool (not elementwise); the pool absorbs the relu; flatten is not an
    // epilogue op; a loss starts no chain, so the tanh after it stays a node of its own
    expect(graph.nodes.map((n) => `${n.id}:${n.op}->${n.outputs[0]}`)).toEqual(['c:conv->c', 'p:max_pool->r', 'f:flatten->f', 'xent:softmax_cross_entropy->xent', 't:tanh->t']);
    expect(graph.nodes[1].epilogue?.map((e) => [e.op, e.from])).toEqual([['relu', 'r']]);
    expect(report.fused).toEqual([{ node: 'p', epilogue: ['relu'], paramQuantizers: [] }]);
  });

  it('a pool + relu + quantize chain computes what the unfused graph computes', () => {
    const b = new GraphBuilder();
    b.input('x', [2, 3, 5, 5]);
    b.op('p', 'avg_pool', ['x'], { kernel: [3, 3], stride: [2, 2] });
    b.op('r', 'relu', ['p'], {}, { output: A8 });
    b.op('d', 'dense', ['r'], { units: 4 });
    const q = insertQuantizers(b.output('d').build());
    const { graph } = fuseGraph(q);
    expect(graph.nodes.map((n) => n.op)).toEqual(['avg_pool', 'dense']);
    expect(graph.nodes[0].epilogue?.map((e) => e.op)).toEqual(['relu', 'quantize']);
    const feeds = new Map([...params(q), ['x', randomTensor([2, 3, 5, 5], testRandom(8))]]);
    expect([...runForward(graph, feeds).values.get('d')!.data]).toEqual([...runForward(q, feeds).values.get('d')!.data]);
  });
});
