import { describe, expect, it } from 'vitest';
import { plannedIrText } from '../../src/cli/commands/compile.js';
import { IR_CODES } from '../../src/ir/codes.js';
import { printGraph } from '../../src/ir/print.js';
import { lowerSource } from '../../src/lower/front-end.js';
import { PASS_CODES } from '../../src/passes/codes.js';
import { PIPELINE, runPipeline } from '../../src/passes/pipeline.js';
import { GraphBuilder } from '../helpers/graph-builder.js';

const SMALL = `
type A8 = fixed<4, 4>
type W8 = fixed<2, 6>
net Small(batch: int = 2) {
  input x: f32[batch, 3, 8, 8]
  input label: i32[batch]
  q = quantize(x, to: A8)
  c1 = relu(conv(q, filters: 4, kernel: 3, pad: 1, weights: W8, bias: fixed<8, 8>)) -> A8
  bn = batch_norm(conv(c1, filters: 4, kernel: 1, bias_term: false))
  s = scale(bn, bias_term: true)
  p = max_pool(relu(s), kernel: 2, stride: 2)
  logits = dense(p, units: 3, weights: W8)
  output probs = softmax(logits)
  loss xent = softmax_cross_entropy(logits, label)
}
`;

function lowered() {
  const r = lowerSource(SMALL, 'small.lpnet');
  expect(r.diagnostics).toEqual([]);
  return r.graphs[0];
}

describe('pipeline', () => {
  it('lists its passes in order', () => {
    expect(PIPELINE.map((p) => p.name)).toEqual(['fold-batch-norm', 'quantize-insertion', 'remove-dropout', 'accumulator', 'fusion']);
  });

  it('plans a lowered net for inference (golden IR)', () => {
    const r = runPipeline(lowered(), { mode: 'inference' });
    expect(r.ok).toBe(true);
    expect(r.diagnostics).toEqual([]);
    expect(plannedIrText(r)).toBe(
      [
        'graph Small(batch: 2)',
        '  input %x: f32[2, 3, 8, 8]  # small.lpnet:5',
        '  input %label: i32[2]  # small.lpnet:6',
        '  param %c1.conv.weights: f32[4, 3, 3, 3] {owner: c1.conv, slot: weights, filler: xavier, lr_mult: 1, decay_mult: 1}',
        '  param %c1.conv.bias: f32[4] {owner: c1.conv, slot: bias, filler: constant(0), lr_mult: 1, decay_mult: 1}',
        '  param %bn.conv.weights.folded: f32[4, 4, 1, 1] {owner: bn.conv, slot: weights, filler: xavier, lr_mult: 1, decay_mult: 1}',
        '  param %bn.conv.bias.folded: f32[4] {owner: bn.conv, slot: bias, filler: constant(0), lr_mult: 1, decay_mult: 1}',
        '  param %logits.weights: f32[3, 64] {owner: logits, slot: weights, filler: xavier, lr_mult: 1, decay_mult: 1}',
        '  param %logits.bias: f32[3] {owner: logits, slot: bias, filler: constant(0), lr_mult: 1, decay_mult: 1}',
        '  %q: fixed<4, 4>[2, 3, 8, 8] = quantize(%x) {to: fixed<4, 4>}  # small.lpnet:7',
        '  %c1: fixed<4, 4>[2, 4, 8, 8] = conv(%q, %c1.conv.weights, %c1.conv.bias) {filters: 4, kernel: [3, 3], pad: [1, 1]} quantizes: [%c1.conv.weights -> fixed<2, 6>, %c1.conv.bias -> fixed<8, 8>] epilogue: [relu, quantize {to: fixed<4, 4>}] accumulator: i32 (bound 566551) node: c1.conv  # small.lpnet:8',
        '  %p.relu: f32[2, 4, 8, 8] = conv(%c1, %bn.conv.weights.folded, %bn.conv.bias.folded) {filters: 4, kernel: [1, 1]} epilogue: [relu] accumulator: f32 node: bn.conv  # small.lpnet:9',
        '  %p: f32[2, 4, 4, 4] = max_pool(%p.relu) {kernel: [2, 2], stride: [2, 2]}  # small.lpnet:11',
        '  %logits: f32[2, 3] = dense(%p, %logits.weights, %logits.bias) {units: 3} quantizes: [%logits.weights -> fixed<2, 6>] accumulator: f32  # small.lpnet:12',
        '  %probs: f32[2, 3] = softmax(%logits)  # small.lpnet:13',
        '  %xent: f32[] = softmax_cross_entropy(%logits, %label)  # small.lpnet:14',
        '  output probs = %probs',
        '  loss xent = %xent',
        '  transform fold_batch_norm(beta: %s.beta: f32[4], gamma: %s.gamma: f32[4], mean: %bn.mean: f32[4], scale_factor: %bn.scale_factor: f32[1], variance: %bn.variance: f32[4], weights: %bn.conv.weights: f32[4, 4, 1, 1]) -> (bias: %bn.conv.bias.folded, weights: %bn.conv.weights.folded) {eps: 0.00001, out_axis: 0} from: [bn, s]',
        '',
      ].join('\n'),
    );
    // 127 * 127 * 27 products plus the fixed<8, 8> bias (32767 codes, 2^-8) in the 2^-10 scale
    expect(127 * 127 * 27 + 32767 * 4).toBe(566551);
  });

  it('prints the same text for the same source every time', () => {
    const a = plannedIrText(runPipeline(lowered(), { mode: 'training' }));
    const b = plannedIrText(runPipeline(lowered(), { mode: 'training' }));
    expect(a).toBe(b);
    expect(a).toContain('backward seeds [%xent.grad = 1]');
  });

  it('does not modify the lowered graph', () => {
    const g = lowered();
    const before = printGraph(g);
    runPipeline(g, { mode: 'inference' });
    runPipeline(g, { mode: 'training' });
    expect(printGraph(g)).toBe(before);
    expect(g.nodes.map((n) => n.op)).toEqual(['quantize', 'conv', 'relu', 'conv', 'batch_norm', 'scale', 'relu', 'max_pool', 'dense', 'softmax', 'softmax_cross_entropy']);
  });

  it('can stop after a named pass', () => {
    const r = runPipeline(lowered(), { mode: 'inference', stopAfter: 'quantize-insertion' });
    expect(r.passes).toEqual(['fold-batch-norm', 'quantize-insertion']);
    expect(r.graph.nodes.filter((n) => n.op === 'quantize').map((n) => n.id)).toEqual(['q', 'c1.conv.weights.q', 'c1.conv.bias.q', 'c1.q', 'logits.weights.q']);
  });

  it('stops with the verifier diagnostics on a malformed input graph, and reports unknown ops', () => {
    const b = new GraphBuilder();
    b.input('x', [1, 4]);
    b.op('d', 'dense', ['x'], { units: 2 });
    const g = b.output('d').build();
    g.nodes[0].inputs[0] = 'missing';
    const r = runPipeline(g, { mode: 'inference' });
    expect(r.ok).toBe(false);
    expect(r.passes).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual([IR_CODES.UNDEFINED_VALUE]);

    const u = new GraphBuilder();
    u.input('x', [1, 4]);
    u.op('d', 'dense', ['x'], { units: 2 });
    const ug = u.output('d').build();
    ug.nodes[0].op = 'mystery';
    expect(runPipeline(ug, { mode: 'inference' }).diagnostics.map((d) => d.code)).toEqual([PASS_CODES.UNKNOWN_OP]);
  });
});
