import { describe, expect, it } from 'vitest';
import { verifyGraph } from '../../src/ir/verify.js';
import { fixed, F32, I32 } from '../../src/numeric/number-type.js';
import { describeValue, graphOf, paramCount } from './helpers.js';

const LENET = `type W8 = fixed<2, 6>
type A8 = fixed<4, 4, round: stochastic>
net LeNet(batch: int = 64, classes: int = 10) {
  input  image: f32[batch, 1, 28, 28]
  input  label: i32[batch]
  c1 = conv(image, filters: 20, kernel: 5, weights: W8) -> A8
  p1 = max_pool(c1, kernel: 2, stride: 2)
  c2 = conv(p1, filters: 50, kernel: 5, weights: W8) -> A8
  p2 = max_pool(c2, kernel: 2, stride: 2)
  f1 = relu(dense(p2, units: 500, weights: W8)) -> A8
  logits = dense(f1, units: classes, weights: W8, bias_lr_mult: 2)
  output probs = softmax(logits)
  loss   xent  = softmax_cross_entropy(logits, label)
}
`;

describe('LeNet', () => {
  const g = graphOf(LENET);

  it('has the nodes in source order, with nested calls named <binding>.<op>', () => {
    expect(g.nodes.map((n) => `${n.id}=${n.op}`)).toEqual([
      'c1=conv',
      'p1=max_pool',
      'c2=conv',
      'p2=max_pool',
      'f1.dense=dense',
      'f1=relu',
      'logits=dense',
      'probs=softmax',
      'xent=softmax_cross_entropy',
    ]);
    expect(verifyGraph(g)).toEqual([]);
  });

  it('has 431,080 parameters with Caffe-shaped weights', () => {
    expect(paramCount(g)).toBe(431_080);
    expect(g.params.map((id) => describeValue(g, id))).toEqual([
      'c1.weights: f32[20, 1, 5, 5]',
      'c1.bias: f32[20]',
      'c2.weights: f32[50, 20, 5, 5]',
      'c2.bias: f32[50]',
      'f1.dense.weights: f32[500, 800]',
      'f1.dense.bias: f32[500]',
      'logits.weights: f32[10, 500]',
      'logits.bias: f32[10]',
    ]);
  });

  it('infers shapes and number types (declared, passed through, or f32)', () => {
    expect(g.inputs.map((id) => describeValue(g, id))).toEqual(['image: f32[64, 1, 28, 28]', 'label: i32[64]']);
    expect(g.nodes.map((n) => describeValue(g, n.outputs[0]))).toEqual([
      'c1: fixed<4, 4, round: stochastic>[64, 20, 24, 24]',
      'p1: fixed<4, 4, round: stochastic>[64, 20, 12, 12]',
      'c2: fixed<4, 4, round: stochastic>[64, 50, 8, 8]',
      'p2: fixed<4, 4, round: stochastic>[64, 50, 4, 4]',
      'f1.dense: f32[64, 500]',
      'f1: fixed<4, 4, round: stochastic>[64, 500]',
      'logits: f32[64, 10]',
      'probs: f32[64, 10]',
      'xent: f32[]',
    ]);
  });

  it('records declared types on the nodes and parameters as f32 masters', () => {
    const c1 = g.nodes[0];
    expect(c1.types).toEqual({ weights: fixed(2, 6), output: fixed(4, 4, 'stochastic') });
    expect(c1.inputs).toEqual(['image', 'c1.weights', 'c1.bias']);
    expect(c1.outputs).toEqual(['c1']);
    expect(g.nodes[4].types).toEqual({ weights: fixed(2, 6) });
    expect(g.nodes[7].types).toEqual({});
    expect(g.values.get('c1.weights')?.type.dtype).toEqual(F32);
    expect(g.values.get('label')?.type.dtype).toEqual(I32);
  });

  it('fills attribute defaults and broadcasts single ints', () => {
    const c1 = g.nodes[0].attrs;
    expect(c1.kernel).toEqual([5, 5]);
    expect(c1.stride).toEqual([1, 1]);
    expect(c1.pad).toEqual([0, 0]);
    expect(c1.group).toBe(1);
    expect(c1.bias_term).toBe(true);
    expect(c1.weight_init).toBe('xavier');
    expect(g.nodes[1].attrs.stride).toEqual([2, 2]);
  });

  it('gives parameters their owner, slot, filler and multipliers', () => {
    expect(g.values.get('c1.weights')).toMatchObject({
      role: 'param',
      param: { slot: 'weights', owner: 'c1', filler: { kind: 'xavier' }, lrMult: 1, decayMult: 1, trainable: true },
    });
    expect(g.values.get('logits.bias')?.param).toMatchObject({ slot: 'bias', owner: 'logits', filler: { kind: 'constant', value: 0 }, lrMult: 2 });
  });

  it('marks outputs and losses and records the net parameters', () => {
    expect(g.outputs.map(({ name, value }) => ({ name, value }))).toEqual([{ name: 'probs', value: 'probs' }]);
    expect(g.losses.map(({ name, value }) => ({ name, value }))).toEqual([{ name: 'xent', value: 'xent' }]);
    expect(g.netParams).toEqual({ batch: 64, classes: 10 });
    expect(g.name).toBe('LeNet');
  });

  it('keeps the source span of every node and value', () => {
    const c1 = g.nodes[0];
    expect(c1.span?.file).toBe('t.lpnet');
    expect([c1.span?.start.line, c1.span?.start.col]).toEqual([6, 8]);
    expect(g.nodes[4].span?.start).toMatchObject({ line: 10, col: 13 });
    expect(g.values.get('image')?.span?.start.line).toBe(4);
    expect(g.values.get('c1.weights')?.span?.start.line).toBe(6);
    expect(g.outputs[0].span?.start.line).toBe(12);
  });

  it('applies parameter overrides, including from strings', () => {
    const g32 = graphOf(LENET, { params: { batch: '32', classes: 5 } });
    expect(describeValue(g32, 'image')).toBe('image: f32[32, 1, 28, 28]');
    expect(describeValue(g32, 'logits')).toBe('logits: f32[32, 5]');
    expect(g32.netParams).toEqual({ batch: 32, classes: 5 });
  });
});

describe('bindings and ids', () => {
  it('gives rebound names .1, .2 and shares a value on a plain alias', () => {
    const g = graphOf(`net N {
  input x: f32[2, 3]
  x = relu(x)
  x = relu(x)
  y = x
  output y
}`);
    expect(g.nodes.map((n) => n.id)).toEqual(['x.1', 'x.2']);
    expect(g.nodes[1].inputs).toEqual(['x.1']);
    expect(g.outputs[0]).toMatchObject({ name: 'y', value: 'x.2' });
  });

  it('evaluates local constants and parameter arithmetic', () => {
    const g = graphOf(`net N(batch: int = 8, width: int = 4) {
  half = batch / 2
  input x: f32[half, width * 2 + 1]
  n = width % 3
  output y = dense(x, units: n * 10)
}`);
    expect(describeValue(g, 'x')).toBe('x: f32[4, 9]');
    expect(describeValue(g, 'y')).toBe('y: f32[4, 10]');
  });

  it('binds inputs by name, takes variadic inputs, and accepts quoted enum words', () => {
    const g = graphOf(`net N {
  input a: f32[2, 3, 4, 4]
  input b: f32[2, 5, 4, 4]
  input l: i32[2]
  c = concat(a, b, a, axis: 1)
  s = add(a, a)
  d = dense(c, units: 3, weight_init: "msra")
  loss xent = softmax_cross_entropy(label: l, logits: d)
}`);
    expect(describeValue(g, 'c')).toBe('c: f32[2, 11, 4, 4]');
    expect(g.nodes.find((n) => n.id === 'c')?.inputs).toEqual(['a', 'b', 'a']);
    expect(g.nodes.find((n) => n.id === 's')?.inputs).toEqual(['a', 'a']);
    expect(g.nodes.find((n) => n.id === 'd')?.attrs.weight_init).toBe('msra');
    expect(g.values.get('d.weights')?.param?.filler).toEqual({ kind: 'msra' });
    expect(g.nodes.find((n) => n.id === 'xent')?.inputs).toEqual(['d', 'l']);
  });

  it('drops the bias parameter with bias_term: false and records acc: types', () => {
    const g = graphOf(`net N {
  input x: f32[1, 3, 8, 8]
  output y = conv(x, filters: 4, kernel: 3, bias_term: false, weights: fixed<2, 6>, acc: i32)
}`);
    expect(g.params).toEqual(['y.weights']);
    expect(g.nodes[0].types).toEqual({ weights: fixed(2, 6), acc: I32 });
  });
});

describe('blocks and repeat', () => {
  const VGG = `type A8 = fixed<4, 4>
block vgg_stage(x, filters: int, convs: int = 2) {
  repeat convs as i { x = relu(conv(x, filters: filters * (i + 1), kernel: 3, pad: 1)) -> A8 }
  return max_pool(x, kernel: 2, stride: 2)
}
net N {
  input image: f32[1, 3, 16, 16]
  s1 = vgg_stage(image, filters: 8)
  s2 = vgg_stage(s1, filters: 4, convs: 1)
  output s2
}`;

  it('inlines block calls with <call>/ prefixes and @i per repeat iteration', () => {
    const g = graphOf(VGG);
    expect(g.nodes.map((n) => n.id)).toEqual(['s1/x@0.conv', 's1/x@0', 's1/x@1.conv', 's1/x@1', 's1', 's2/x@0.conv', 's2/x@0', 's2']);
    expect(g.nodes.map((n) => describeValue(g, n.outputs[0]))).toEqual([
      's1/x@0.conv: f32[1, 8, 16, 16]',
      's1/x@0: fixed<4, 4>[1, 8, 16, 16]',
      's1/x@1.conv: f32[1, 16, 16, 16]',
      's1/x@1: fixed<4, 4>[1, 16, 16, 16]',
      's1: fixed<4, 4>[1, 16, 8, 8]',
      's2/x@0.conv: f32[1, 4, 8, 8]',
      's2/x@0: fixed<4, 4>[1, 4, 8, 8]',
      's2: fixed<4, 4>[1, 4, 4, 4]',
    ]);
    expect(g.nodes[0].inputs[0]).toBe('image');
    expect(g.params[0]).toBe('s1/x@0.conv.weights');
    expect(g.nodes[5].inputs[0]).toBe('s1');
    expect(g.outputs[0]).toMatchObject({ name: 's2', value: 's2' });
    expect(verifyGraph(g)).toEqual([]);
  });

  it('keeps the span of the call inside the block for inlined nodes', () => {
    const g = graphOf(VGG);
    expect(g.nodes[0].span?.start).toMatchObject({ line: 3, col: 32 });
    expect(g.nodes[4].span?.start).toMatchObject({ line: 4, col: 10 });
  });

  it('names block calls nested in expressions <binding>.<block>/..., and the caller\'s -> T wins', () => {
    const g = graphOf(`block act(x) { return relu(x) -> fixed<8, 8> }
block same(x) { return x }
net N {
  input x: f32[1, 4]
  y = tanh(act(x))
  z = act(y) -> fixed<2, 6>
  w = same(z)
  output w
}`);
    expect(g.nodes.map((n) => describeValue(g, n.id))).toEqual(['y.act: fixed<8, 8>[1, 4]', 'y: f32[1, 4]', 'z: fixed<2, 6>[1, 4]']);
    expect(g.outputs[0].value).toBe('z');
  });

  it('evaluates block defaults in the block scope, where earlier parameters are visible', () => {
    const g = graphOf(`block fc(x, units: int, wide: int = units * 2) { return dense(x, units: wide) }
net N {
  input x: f32[1, 4]
  output y = fc(x, units: 3)
}`);
    expect(describeValue(g, 'y')).toBe('y: f32[1, 6]');
  });

  it('passes type parameters and lets them appear in fixed<...> bit counts', () => {
    const g = graphOf(`block q(x, T: type, bits: int) { return relu(x) -> fixed<bits, 8 - bits> }
net N(W: type = fixed<2, 2>) {
  input x: f32[1, 4]
  a = relu(x) -> W
  output b = q(a, T: W, bits: 3)
}`);
    expect(describeValue(g, 'a')).toBe('a: fixed<2, 2>[1, 4]');
    expect(describeValue(g, 'b')).toBe('b: fixed<3, 5>[1, 4]');
    const over = graphOf(`type A = fixed<6, 2, overflow: wrap>
net N(W: type = fixed<2, 2>) {
  input x: f32[1, 4]
  output a = relu(x) -> W
}`, { params: { W: 'A' } });
    expect(describeValue(over, 'a')).toBe('a: fixed<6, 2, overflow: wrap>[1, 4]');
    expect(over.netParams).toEqual({ W: 'fixed<6, 2, overflow: wrap>' });
  });

  it('unrolls repeat 0 to nothing and nested repeats with @i@j', () => {
    const g = graphOf(`net N {
  input x: f32[1, 4]
  repeat 0 { x = relu(x) }
  repeat 2 as i { repeat 2 as j { x = relu(x) } }
  output x
}`);
    expect(g.nodes.map((n) => n.id)).toEqual(['x@0@0', 'x@0@1', 'x@1@0', 'x@1@1']);
    expect(g.outputs[0].value).toBe('x@1@1');
  });
});

describe('imports', () => {
  const files = {
    'lib/types.lpnet': 'type W8 = fixed<2, 6>\ntype A8 = fixed<4, 4>\n',
    'lib/blocks.lpnet': 'import "types.lpnet"\nblock layer(x, units: int) { return relu(dense(x, units: units, weights: W8)) -> A8 }\n',
  };

  it('uses types and blocks from imported files, transitively', () => {
    const g = graphOf(
      'import "lib/blocks.lpnet"\nnet N {\n  input x: f32[2, 3]\n  h = layer(x, units: 4)\n  output y = dense(h, units: 2, weights: W8)\n}',
      { files },
    );
    expect(g.nodes.map((n) => describeValue(g, n.id))).toEqual(['h.dense: f32[2, 4]', 'h: fixed<4, 4>[2, 4]', 'y: f32[2, 2]']);
    expect(g.nodes[0].types.weights).toEqual(fixed(2, 6));
    expect(g.nodes[0].span?.file).toBe('lib/blocks.lpnet');
  });
});
