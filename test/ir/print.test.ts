import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { cloneGraph } from '../../src/ir/graph-util.js';
import { formatAttrs, printGraph } from '../../src/ir/print.js';
import { fixed } from '../../src/numeric/number-type.js';
import { isDefaultAttr } from '../../src/passes/op-info.js';
import { GraphBuilder, spanAt } from '../helpers/graph-builder.js';

function lenetish(): Graph {
  const b = new GraphBuilder('Tiny', { batch: 2, classes: 3 });
  b.input('image', [2, 1, 6, 6]);
  b.input('label', [2], { kind: 'i32' });
  b.op('c1', 'conv', ['image'], { filters: 2, kernel: [3, 3], weight_init: 'gaussian', weight_std: 0.1 }, { weights: fixed(2, 6), output: fixed(4, 4) });
  b.op('f1', 'dense', ['c1'], { units: 3, bias_term: false });
  b.op('xent', 'softmax_cross_entropy', ['f1', 'label']);
  b.output('logits', 'f1').loss('xent');
  const g = b.build();
  g.train = { optimizer: { kind: 'sgd', args: { momentum: 0.9, lr: 0.01 } }, schedule: { kind: 'fixed', args: {} }, batch: 2, seed: 1, other: {} };
  return g;
}

describe('printGraph', () => {
  it('prints one line per input, parameter, node and output, defaults hidden on request', () => {
    expect(printGraph(lenetish(), { hideAttr: isDefaultAttr })).toBe(
      [
        'graph Tiny(batch: 2, classes: 3)',
        '  input %image: f32[2, 1, 6, 6]  # test.lpnet:1',
        '  input %label: i32[2]  # test.lpnet:2',
        '  param %c1.weights: f32[2, 1, 3, 3] {owner: c1, slot: weights, filler: gaussian(mean: 0, std: 0.1), lr_mult: 1, decay_mult: 1}',
        '  param %c1.bias: f32[2] {owner: c1, slot: bias, filler: constant(0), lr_mult: 1, decay_mult: 1}',
        '  param %f1.weights: f32[3, 32] {owner: f1, slot: weights, filler: xavier, lr_mult: 1, decay_mult: 1}',
        '  %c1: fixed<4, 4>[2, 2, 4, 4] = conv(%image, %c1.weights, %c1.bias) {filters: 2, kernel: [3, 3], weight_init: gaussian, weight_std: 0.1} weights: fixed<2, 6> -> fixed<4, 4>  # test.lpnet:3',
        '  %f1: f32[2, 3] = dense(%c1, %f1.weights) {bias_term: false, units: 3}  # test.lpnet:4',
        '  %xent: f32[] = softmax_cross_entropy(%f1, %label)  # test.lpnet:5',
        '  output logits = %f1',
        '  loss xent = %xent',
        '  train optimizer sgd(lr: 0.01, momentum: 0.9); schedule fixed(); batch 2; seed 1',
        '',
      ].join('\n'),
    );
  });

  it('prints every attribute, alphabetically, when no hider is given', () => {
    const line = printGraph(lenetish()).split('\n').find((l) => l.includes('= dense('))!;
    const attrs = line.slice(line.indexOf('{') + 1, line.indexOf('}')).split(', ').map((a) => a.split(':')[0]);
    expect(attrs).toEqual([...attrs].sort());
    expect(attrs).toContain('weight_init');
  });

  it('does not depend on attribute insertion order, and is stable across clones', () => {
    const g = lenetish();
    const c = cloneGraph(g);
    c.nodes[0].attrs = Object.fromEntries(Object.entries(c.nodes[0].attrs).reverse());
    expect(printGraph(c)).toBe(printGraph(g));
    expect(printGraph(g)).toBe(printGraph(g));
  });

  it('prints spans as base name and line only, so columns and folders do not churn goldens', () => {
    const g = lenetish();
    const c = cloneGraph(g);
    for (const n of c.nodes) n.span = { ...spanAt(n.span!.start.line, '/some/other/dir/test.lpnet'), start: { offset: 99, line: n.span!.start.line, col: 40 } };
    for (const v of c.values.values()) if (v.span) v.span = { ...v.span, file: 'x/y/test.lpnet' };
    expect(printGraph(c)).toBe(printGraph(g));
  });

  it('formats number types, lists, strings and booleans in attributes', () => {
    expect(formatAttrs({ z: 'two words', a: [1, 2], t: fixed(4, 4, 'stochastic'), b: true, s: 'xavier' })).toBe(
      '{a: [1, 2], b: true, s: xavier, t: fixed<4, 4, round: stochastic>, z: "two words"}',
    );
  });
});
