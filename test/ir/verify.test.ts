import { describe, expect, it } from 'vitest';
import { IR_CODES } from '../../src/ir/codes.js';
import type { Graph } from '../../src/ir/graph.js';
import { cloneGraph } from '../../src/ir/graph-util.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { GraphBuilder } from '../helpers/graph-builder.js';

function small(): Graph {
  const b = new GraphBuilder('Small');
  b.input('x', [2, 3, 6, 6]);
  b.op('c1', 'conv', ['x'], { filters: 4, kernel: [3, 3] });
  b.op('r1', 'relu', ['c1']);
  b.op('f1', 'dense', ['r1'], { units: 5 });
  return b.output('f1').build();
}

const codes = (g: Graph) => verifyGraph(g).map((d) => d.code);

describe('verifyGraph', () => {
  it('accepts a well-formed graph', () => {
    expect(verifyGraph(small())).toEqual([]);
  });

  it('reports a node id used twice', () => {
    const g = small();
    g.nodes[1] = { ...g.nodes[1], id: 'c1' };
    expect(codes(g)).toContain(IR_CODES.DUPLICATE_ID);
  });

  it('reports a read of a value that does not exist, at the node span', () => {
    const g = small();
    g.nodes[1].inputs = ['nope'];
    const d = verifyGraph(g);
    expect(d.map((x) => x.code)).toEqual([IR_CODES.UNDEFINED_VALUE]);
    expect(d[0].message).toContain("'nope'");
    expect(d[0].span?.start.line).toBe(g.nodes[1].span?.start.line);
  });

  it('reports nodes out of topological order', () => {
    const g = small();
    [g.nodes[1], g.nodes[2]] = [g.nodes[2], g.nodes[1]];
    expect(codes(g)).toContain(IR_CODES.NOT_TOPOLOGICAL);
  });

  it('reports a producer link that does not match', () => {
    const g = small();
    g.values.get('r1')!.producer = 'c1';
    expect(codes(g)).toContain(IR_CODES.BAD_PRODUCER);
  });

  it('reports negative and non-integer dimensions', () => {
    const g = small();
    g.values.get('r1')!.type.shape = [2, -4, 4, 4];
    g.values.get('c1')!.type.shape = [2, 4, 1.5, 4];
    expect(codes(g).filter((c) => c === IR_CODES.BAD_SHAPE)).toHaveLength(2);
  });

  it('reports a parameter without ParamInfo and one missing from the parameter list', () => {
    const g = small();
    delete g.values.get('c1.weights')!.param;
    g.params = g.params.filter((p) => p !== 'f1.bias');
    expect(codes(g)).toEqual([IR_CODES.BAD_PARAM, IR_CODES.BAD_PARAM]);
  });

  it('reports outputs and losses that name missing values', () => {
    const g = small();
    g.outputs.push({ name: 'ghost', value: 'ghost' });
    g.losses.push({ name: 'l', value: 'nothing' });
    expect(codes(g)).toEqual([IR_CODES.MISSING_EXTERNAL, IR_CODES.MISSING_EXTERNAL]);
  });

  it('reports a parameter quantizer on a value that is not a parameter', () => {
    const g = small();
    g.nodes[0].paramQuantizers = [{ param: 'x', attrs: {}, type: { kind: 'f32' }, from: 'q' }];
    expect(codes(g)).toEqual([IR_CODES.BAD_REFERENCE]);
  });

  it('does not change when the graph is cloned', () => {
    const g = small();
    const c = cloneGraph(g);
    c.nodes[0].inputs.push('extra');
    expect(verifyGraph(g)).toEqual([]);
    expect(codes(c)).toEqual([IR_CODES.UNDEFINED_VALUE]);
  });
});
