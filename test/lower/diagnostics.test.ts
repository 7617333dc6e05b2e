import { describe, expect, it } from 'vitest';
import { renderOneLine, renderSnippet } from '../../src/diag/render.js';
import { lowerSource } from '../../src/lower/front-end.js';
import { linesOf } from './helpers.js';

describe('many errors in one run', () => {
  const src = `type W8 = fixed<2, 6>
net N(batch: int = 4) {
  input x: f32[batch, 3, 8, 8]
  input x: f32[batch, 1]
  a = conf(x, filters: 4, kernel: 3)
  b = relu(a)
  c = conv(x, filters: 4, kernel: 3, weights: W9)
  d = conv(x, filters: 4, kernel: 9)
  e = add(d, b)
  f = dense(x, units: 2.5)
  output out = softmax(f, axis: "1")
}
train N { optimizer sgd(lr: 0); batch batch }
`;

  it('reports each independent mistake once, and nothing that follows from one', () => {
    const r = lowerSource(src, 't.lpnet');
    expect(r.diagnostics.map(renderOneLine)).toEqual([
      't.lpnet:4:9: error LPC1217: `x` is already defined',
      't.lpnet:5:7: error LPC1201: unknown op or block `conf`',
      't.lpnet:7:47: error LPC1300: unknown type `W9`',
      't.lpnet:8:35: error LPC1400: kernel 9 x 9 does not fit input 8 x 8 with pad 0',
      't.lpnet:10:23: error LPC1214: `units` of `dense` must be a whole number, got 2.5',
      't.lpnet:11:33: error LPC1205: `axis` of `softmax` must be an int, got the string "1"',
      't.lpnet:13:29: error LPC1507: `lr` of `sgd` must be greater than 0, got the int 0',
    ]);
    expect(r.graphs).toEqual([]);
  });

  it('gives did-you-mean hints and notes pointing at the first definition', () => {
    const r = lowerSource(src, 't.lpnet');
    const byCode = new Map(r.diagnostics.map((d) => [d.code, d]));
    expect(byCode.get('LPC1201')?.hint).toBe('did you mean `conv`?');
    expect(byCode.get('LPC1300')?.hint).toBe('did you mean `W8`?');
    expect(byCode.get('LPC1217')?.notes).toEqual([{ message: 'first definition of `x`', span: expect.objectContaining({ start: expect.objectContaining({ line: 3, col: 9 }) }) }]);
  });

  it('renders a snippet with the source line and a caret under the span', () => {
    const r = lowerSource(src, 't.lpnet');
    const d = r.diagnostics.find((x) => x.code === 'LPC1400');
    expect(d && renderSnippet(d, { sources: r.sources })).toBe(
      [
        'error LPC1400: kernel 9 x 9 does not fit input 8 x 8 with pad 0',
        ' --> t.lpnet:8:35',
        '  |',
        '8 |   d = conv(x, filters: 4, kernel: 9)',
        '  |                                   ^',
        '  = hint: use a smaller kernel, or pad the input',
      ].join('\n'),
    );
  });
});

describe('errors inside blocks', () => {
  const src = `block stage(x, n: int) {
  y = conv(x, filters: n, kernel: 5)
  return relu(y)
}
block outer(x) { return stage(x, n: 1) }
net N {
  input x: f32[1, 3, 4, 4]
  a = stage(x, n: 2)
  b = stage(x, n: 3)
  repeat 3 { c = stage(x, n: 4) }
  d = outer(x)
  output a
}`;

  it('points at the call inside the block, notes the call sites, and reports a repeated mistake once', () => {
    const r = lowerSource(src, 't.lpnet');
    expect(r.diagnostics.map(renderOneLine)).toEqual(['t.lpnet:2:35: error LPC1400: kernel 5 x 5 does not fit input 4 x 4 with pad 0']);
    const notes = r.diagnostics[0].notes.map((n) => `${n.message} @${n.span?.start.line}:${n.span?.start.col}`);
    expect(notes).toEqual(['in block `stage` expanded here @8:7']);
  });

  it('notes every enclosing block call, innermost first', () => {
    const r = lowerSource(src.replace('  a = stage(x, n: 2)\n  b = stage(x, n: 3)\n  repeat 3 { c = stage(x, n: 4) }\n', '').replace('output a', 'output d'), 't.lpnet');
    const notes = r.diagnostics[0].notes.map((n) => `${n.message} @${n.span?.start.line}:${n.span?.start.col}`);
    expect(notes).toEqual(['in block `stage` expanded here @5:25', 'in block `outer` expanded here @8:7']);
  });

  it('checks block arguments at the call: unknown, missing, duplicate, too many', () => {
    expect(
      linesOf(`block b(x, n: int, scale: float = 1.0) { return relu(x) }
net N {
  input x: f32[1, 4]
  p = b(x, nn: 2)
  q = b(x)
  r = b(x, n: 1, n: 2)
  s = b(x, 1, 2.0, 3)
  t = b(x, n: 1, scale: true)
  output x
}`),
    ).toEqual([
      't.lpnet:4:12: error LPC1202: block `b` has no parameter `nn`',
      't.lpnet:5:7: error LPC1203: block `b` needs parameter `n`',
      't.lpnet:6:18: error LPC1204: `n` is given twice in the call of block `b`',
      't.lpnet:7:20: error LPC1210: block `b` takes 3 parameters, but this is argument 4',
      't.lpnet:8:25: error LPC1225: parameter `scale` is a float, got the bool true',
    ]);
  });

  it('reports statements that do not belong in blocks, and a return that is not last', () => {
    expect(
      linesOf(`block b(x) {
  input z: f32[1]
  return relu(x)
  output w = relu(x)
}
net N {
  input x: f32[1, 4]
  output y = b(x)
}`),
    ).toEqual([
      't.lpnet:2:3: error LPC1221: `input` is not allowed in a block',
      't.lpnet:3:3: error LPC1220: `return` must be the last statement of a block',
      't.lpnet:4:3: error LPC1221: `output` is not allowed in a block',
    ]);
  });
});

describe('names across files', () => {
  it('hints at the file that defines a name the current file does not import', () => {
    const r = lowerSource('import "a.lpnet"\nimport "b.lpnet"\nnet N {\n  input x: f32[1, 4]\n  output y = twice(x)\n}', 'main.lpnet', {
      files: {
        'a.lpnet': 'block twice(x) { return relu(x) -> W8 }\n',
        'b.lpnet': 'type W8 = fixed<2, 6>\n',
      },
    });
    expect(r.diagnostics.map(renderOneLine)).toEqual(['a.lpnet:1:36: error LPC1300: unknown type `W8`']);
    expect(r.diagnostics[0].hint).toBe('type alias `W8` is defined in b.lpnet, which this file does not import; add an `import` of that file');
  });

  it('reports a name defined in two files once, at the second definition', () => {
    const r = lowerSource('import "a.lpnet"\ntype W8 = fixed<2, 6>\nnet N {\n  input x: f32[1, 4]\n  output y = relu(x) -> W8\n}', 'main.lpnet', {
      files: { 'a.lpnet': 'type W8 = fixed<4, 4>\n' },
    });
    expect(r.diagnostics.map(renderOneLine)).toEqual(['main.lpnet:2:6: error LPC1216: type alias `W8` is already defined as type alias `W8`']);
    expect(r.diagnostics[0].notes[0].span?.file).toBe('a.lpnet');
  });

  it('reports a parameter shadowing a type alias, and rebinding a repeat index', () => {
    expect(
      linesOf(`type W = fixed<2, 6>
net N(W: type = f32) {
  input x: f32[1, 4]
  repeat 2 as i { i = relu(x) }
  output x
}`),
    ).toEqual([
      't.lpnet:2:7: error LPC1218: parameter `W` would shadow the type alias `W`',
      't.lpnet:4:19: error LPC1218: `i` is a repeat index and cannot be rebound',
    ]);
  });
});

describe('parameter overrides', () => {
  const src = 'net N(batch: int = 2, lr: float = 0.1, on: bool = true, T: type = f32) {\n  input x: f32[batch, 4]\n  output y = relu(x) -> T\n}';

  it('converts CLI strings to the parameter kinds', () => {
    const r = lowerSource(src, 't.lpnet', { params: { batch: '3', lr: '1e-3', on: 'false', T: 'fixed<4, 4, round: even>' } });
    expect(r.diagnostics).toEqual([]);
    expect(r.graphs[0].netParams).toEqual({ batch: 3, lr: 0.001, on: false, T: 'fixed<4, 4, round: even>' });
  });

  it('reports values that do not fit, with the reason', () => {
    const r = lowerSource(src, 't.lpnet', { params: { batch: '2.5', on: 'yes', T: 'fixed<0, 4>' } });
    expect(r.diagnostics.map(renderOneLine)).toEqual([
      'error LPC1225: --param batch=2.5: parameter `batch` of net `N` is an int, got the float 2.5',
      'error LPC1225: --param on=yes: parameter `on` of net `N` is a bool, got "yes"',
      'error LPC1225: --param T=fixed<0, 4>: parameter `T` of net `N` is a number type, but fixed<0, 4> is not a legal type: integer bits I must be at least 1 (the sign bit), got 0',
    ]);
  });
});
