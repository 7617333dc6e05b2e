import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BlockDecl, LetStmt, NetDecl, TrainDecl } from '../../src/parser/ast.js';
import { renderOneLine } from '../../src/diag/render.js';
import { parseProgram } from '../../src/parser/parse.js';
import { errorsOf, parseOk, stripSpans } from './helpers.js';

const LENET = `import "common.lpnet"                        # types and blocks from another file
type W8 = fixed<2, 6>                        # I integer bits (sign included), F fraction bits
type A8 = fixed<4, 4, round: stochastic, overflow: saturate>
net LeNet(batch: int = 64, classes: int = 10, W: type = fixed<2, 2>) {
  input  image: f32[batch, 1, 28, 28]
  input  label: i32[batch]
  c1 = conv(image, filters: 20, kernel: 5, weights: W8, bias: W8) -> A8
  p1 = max_pool(c1, kernel: 2, stride: 2)
  f1 = relu(dense(p1, units: 500, weights: W)) -> A8
  logits = dense(f1, units: classes)
  x = vgg_stage(p1, filters: 64, convs: 2)    # block call, same syntax as an op call
  output probs = softmax(logits)
  loss   xent  = softmax_cross_entropy(logits, label)
  output logits                               # marks an existing value
}
block vgg_stage(x, filters: int, convs: int = 2) {   # bare \`x\` = tensor parameter
  repeat convs as i { x = relu(conv(x, filters: filters, kernel: 3, pad: 1)) -> A8 }
  return max_pool(x, kernel: 2, stride: 2)
}
train LeNet {
  optimizer sgd(lr: 0.01, momentum: 0.9, weight_decay: 5e-4)
  schedule  inv(gamma: 1e-4, power: 0.75)
  batch 64; epochs 10; seed 1
}
`;

describe('parseProgram on the reference example', () => {
  it('parses every item without diagnostics', () => {
    const program = parseOk(LENET, 'lenet.lpnet');
    expect(program.kind).toBe('Program');
    expect(program.file).toBe('lenet.lpnet');
    expect(program.items.map((i) => i.kind)).toEqual([
      'ImportDecl',
      'TypeAliasDecl',
      'TypeAliasDecl',
      'NetDecl',
      'BlockDecl',
      'TrainDecl',
    ]);
    expect(program.comments).toHaveLength(5);
  });

  it('builds the net body in source order with output types', () => {
    const net = parseOk(LENET).items[3] as NetDecl;
    expect(net.name.name).toBe('LeNet');
    expect(net.params.map((p) => [p.name.name, p.paramKind])).toEqual([
      ['batch', 'int'],
      ['classes', 'int'],
      ['W', 'type'],
    ]);
    expect(net.body.map((s) => s.kind)).toEqual([
      'InputStmt',
      'InputStmt',
      'LetStmt',
      'LetStmt',
      'LetStmt',
      'LetStmt',
      'LetStmt',
      'MarkerStmt',
      'MarkerStmt',
      'MarkerStmt',
    ]);
    const c1 = net.body[2] as LetStmt;
    expect(stripSpans(c1.outType)).toEqual({ kind: 'NamedType', name: { kind: 'Identifier', name: 'A8' } });
  });

  it('parses blocks with bare tensor parameters and repeat', () => {
    const block = parseOk(LENET).items[4] as BlockDecl;
    expect(block.params.map((p) => p.paramKind)).toEqual(['tensor', 'int', 'int']);
    expect(block.params[0].kindSpan).toBeUndefined();
    expect(block.body.map((s) => s.kind)).toEqual(['RepeatStmt', 'ReturnStmt']);
  });

  it('parses the train section, including `;` separators', () => {
    const train = parseOk(LENET).items[5] as TrainDecl;
    expect(train.net.name).toBe('LeNet');
    expect(train.settings.map((s) => s.key.name)).toEqual(['optimizer', 'schedule', 'batch', 'epochs', 'seed']);
  });

  it('always returns a program, and reports syntax errors with codes and spans', () => {
    const { program, diagnostics } = parseProgram('net A { c1 = conv(x, filters: 3 { }\nnet B { }', 'a.lpnet');
    expect(program.kind).toBe('Program');
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0].code).toMatch(/^LPC10\d\d$/);
    expect(program.items.some((i) => i.kind === 'NetDecl' && i.name.name === 'B')).toBe(true);
  });

  it("reports an unclosed call in the user's terms", () => {
    expect(errorsOf('net A { c1 = conv(x, filters: 3 { }', 'a.lpnet')[0]).toBe(
      'a.lpnet:1:33: error LPC1015: expected `,` or `)` to close the call to `conv` but found `{`',
    );
  });
});

describe('the example nets', () => {
  const folder = new URL('../../examples/', import.meta.url);
  const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.lpnet')) : [];
  it.skipIf(files.length === 0)('every examples/*.lpnet parses without diagnostics', () => {
    for (const f of files) {
      const { diagnostics } = parseProgram(readFileSync(new URL(f, folder), 'utf8'), `examples/${f}`);
      expect(diagnostics.map(renderOneLine), f).toEqual([]);
    }
  });
});
