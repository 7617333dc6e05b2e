import { describe, expect, it } from 'vitest';
import { verifyGraph } from '../../src/ir/verify.js';
import { F32, fixed } from '../../src/numeric/number-type.js';
import { insertQuantizers } from '../../src/passes/quantize-insertion.js';
import { GraphBuilder } from '../helpers/graph-builder.js';

const W8 = fixed(2, 6);
const B16 = fixed(8, 8);
const A8 = fixed(4, 4);

function net() {
  const b = new GraphBuilder();
  b.input('x', [2, 3, 6, 6]);
  b.op('c1', 'conv', ['x'], { filters: 4, kernel: [3, 3] }, { weights: W8, bias: B16, output: A8 });
  b.op('p1', 'max_pool', ['c1'], { kernel: [2, 2], stride: [2, 2] }, { output: A8 });
  b.op('f1', 'dense', ['p1'], { units: 5 });
  return b.output('c1').output('f1').build();
}

describe('quantize insertion', () => {
  it('puts a quantize node on each typed parameter and after a typed output', () => {
    const input = net();
    const g = insertQuantizers(input);
    expect(verifyGraph(g)).toEqual([]);
    expect(g.nodes.map((n) => `${n.id}:${n.op}(${n.inputs.join(',')})->${n.outputs.join(',')}`)).toEqual([
      'c1.weights.q:quantize(c1.weights)->c1.weights.q',
      'c1.bias.q:quantize(c1.bias)->c1.bias.q',
      'c1:conv(x,c1.weights.q,c1.bias.q)->c1.pre',
      'c1.q:quantize(c1.pre)->c1',
      'p1:max_pool(c1)->p1',
      'f1:dense(p1,f1.weights,f1.bias)->f1',
    ]);
    // the input graph is not touched
    expect(input.nodes).toHaveLength(3);
  });

  it('types the copies and keeps the binding id for the quantized output', () => {
    const g = insertQuantizers(net());
    const wq = g.values.get('c1.weights.q')!;
    expect(wq.type).toEqual({ dtype: W8, shape: [4, 3, 3, 3] });
    expect(wq.derivedFrom).toBe('c1.weights');
    expect(wq.role).toBe('activation');
    expect(g.values.get('c1.bias.q')!.type.dtype).toEqual(B16);
    expect(g.values.get('c1.pre')!.type).toEqual({ dtype: F32, shape: [2, 4, 4, 4] });
    expect(g.values.get('c1')!.type.dtype).toEqual(A8);
    expect(g.values.get('c1')!.producer).toBe('c1.q');
    expect(g.outputs.map((o) => o.value)).toEqual(['c1', 'f1']);
    expect(g.nodes.find((n) => n.id === 'c1.q')!.attrs).toEqual({ to: A8, ste: 'identity' });
    // masters stay f32 parameters
    expect(g.values.get('c1.weights')!.type.dtype).toEqual(F32);
    expect(g.params).toEqual(net().params);
  });

  it('adds no node where the declaration changes nothing, and clears applied declarations', () => {
    const b = new GraphBuilder();
    b.input('x', [1, 4], A8);
    b.op('f', 'dense', ['x'], { units: 2 }, { weights: F32, output: F32 });
    b.op('r', 'relu', ['f']);
    b.op('r2', 'relu', ['r'], {}, { output: F32 });
    const g = insertQuantizers(b.output('r2').build());
    expect(g.nodes.map((n) => n.op)).toEqual(['dense', 'relu', 'relu']);
    expect(g.nodes.every((n) => Object.keys(n.types).length === 0)).toBe(true);
    // max_pool of an A8 value declared `-> A8` above needed no node either
    expect(insertQuantizers(net()).nodes.filter((n) => n.op === 'quantize')).toHaveLength(3);
  });

  it('is idempotent', () => {
    const once = insertQuantizers(net());
    const twice = insertQuantizers(once);
    expect(twice.nodes.map((n) => n.id)).toEqual(once.nodes.map((n) => n.id));
  });

  it('makes fresh ids when the natural ones are taken', () => {
    const b = new GraphBuilder();
    b.input('x', [1, 4]);
    b.op('f', 'dense', ['x'], { units: 2 }, { output: A8 });
    b.op('f.pre', 'relu', ['f']);
    const g = insertQuantizers(b.output('f.pre').build());
    expect(verifyGraph(g)).toEqual([]);
    expect(g.nodes.map((n) => n.outputs[0])).toEqual(['f.pre.2', 'f', 'f.pre']);
  });
});
