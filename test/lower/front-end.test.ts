import { describe, expect, it } from 'vitest';
import { renderOneLine } from '../../src/diag/render.js';
import { checkFile, lowerSource } from '../../src/lower/front-end.js';
import { memoryHost, normalizePath } from '../../src/lower/memory-host.js';

const SOURCE = `# a small net touching most of the language
type W8 = fixed<2, 6>
type A8 = fixed<4, 4, round: stochastic, overflow: saturate>
block stage(x, filters: int, convs: int = 2) {
  repeat convs as i { x = relu(conv(x, filters: filters, kernel: 3, pad: 1, weights: W8)) -> A8 }
  return max_pool(x, kernel: 2, stride: 2)
}
net Small(batch: int = 2, classes: int = 10, W: type = fixed<2, 2>) {
  input image: f32[batch, 3, 16, 16]
  input label: i32[batch]
  s1 = stage(image, filters: 4)
  s2 = stage(s1, filters: 8, convs: 1)
  f = relu(dense(s2, units: 32, weights: W)) -> A8
  logits = dense(dropout(f, ratio: 0.5), units: classes)
  output probs = softmax(logits)
  output top1 = accuracy(logits, label)
  loss xent = softmax_cross_entropy(logits, label)
}
train Small {
  optimizer sgd(lr: 0.01, momentum: 0.9)
  schedule step(gamma: 0.1, stepsize: 1000)
  batch 2; epochs 1; seed 7
}
`;

describe('checkFile', () => {
  it('loads the entry file through the host and lowers its nets', () => {
    const r = checkFile('nets/main.lpnet', memoryHost({ 'nets/main.lpnet': SOURCE }));
    expect(r.diagnostics).toEqual([]);
    expect(r.graphs.map((g) => g.name)).toEqual(['Small']);
    expect(r.sources.get('nets/main.lpnet')).toBe(SOURCE);
  });

  it('lowers nothing when a file has syntax errors, and reports them', () => {
    const r = lowerSource('net N {\n  input x: f32[1, 4]\n  output y = relu(x\n}\n', 't.lpnet');
    expect(r.graphs).toEqual([]);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => d.code.startsWith('LPC10'))).toBe(true);
  });

  it('reports a missing entry file or import without throwing', () => {
    expect(checkFile('nope.lpnet', memoryHost({})).diagnostics.map(renderOneLine)).toEqual([
      'error LPC1101: cannot read `nope.lpnet`: the file does not exist',
    ]);
    const r = lowerSource('import "gone.lpnet"\nnet N {\n  input x: f32[1]\n  output x\n}', 't.lpnet');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LPC1101']);
  });

  it('lowers only the net asked for, and every net otherwise', () => {
    const two = `${SOURCE}\nnet Other {\n  input x: f32[1, 4]\n  output y = relu(x)\n}\n`;
    expect(lowerSource(two, 't.lpnet').graphs.map((g) => g.name)).toEqual(['Small', 'Other']);
    expect(lowerSource(two, 't.lpnet', { net: 'Other' }).graphs.map((g) => g.name)).toEqual(['Other']);
  });

  it('hands on only the nets that lowered without errors', () => {
    const r = lowerSource(`${SOURCE}\nnet Bad {\n  input x: f32[1, 4]\n  output y = relu(q)\n}\n`, 't.lpnet');
    expect(r.graphs.map((g) => g.name)).toEqual(['Small']);
    expect(r.diagnostics.map(renderOneLine)).toEqual(['t.lpnet:27:19: error LPC1200: unknown name `q`']);
  });

  it('checks type aliases even when no net uses them', () => {
    expect(lowerSource('type Bad = fixed<1, 40>\n', 't.lpnet').diagnostics.map(renderOneLine)).toEqual([
      't.lpnet:1:12: error LPC1301: fixed<1, 40> is not a legal type: width I + F must be between 2 and 32, got 41',
    ]);
  });
});

describe('memoryHost', () => {
  it('normalises paths and resolves imports against the importing folder', () => {
    expect(normalizePath('a/./b/../c.lpnet')).toBe('a/c.lpnet');
    expect(normalizePath('../x/../y.lpnet')).toBe('../y.lpnet');
    expect(normalizePath('/r/../../s')).toBe('/s');
    const host = memoryHost({ 'lib/a.lpnet': 'A' });
    expect(host.resolve('nets/main.lpnet', '../lib/a.lpnet')).toBe('lib/a.lpnet');
    expect(host.resolve('main.lpnet', 'lib/a.lpnet')).toBe('lib/a.lpnet');
    expect(host.readFile('./lib/a.lpnet')).toBe('A');
    expect(host.readFile('lib/b.lpnet')).toBeUndefined();
  });
});

describe('robustness', () => {
  /** A small deterministic generator (mulberry32), so a failure reproduces. */
  function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const pieces = ['x', 'image', 's1', 'filters', 'kernel: 9', '0', '-1', '2.5', '"s"', 'true', 'W8', 'fixed<0, 1>', '[1, 2, 3]', 'conv(', ')', ',', '->', 'i32', 'repeat 3 {', '}', 'f32', 'batch / 3', 'stage(image)'];

  it('never throws and never reports an internal error on mutated sources', () => {
    const rnd = random(1234);
    const words = [...SOURCE.matchAll(/[A-Za-z_][A-Za-z0-9_]*|\d+(\.\d+)?/g)];
    for (let iter = 0; iter < 150; iter++) {
      let text = SOURCE;
      const edits = 1 + Math.floor(rnd() * 3);
      for (let e = 0; e < edits; e++) {
        const m = words[Math.floor(rnd() * words.length)];
        const at = m.index ?? 0;
        const len = m[0].length;
        const choice = rnd();
        const replacement = choice < 0.5 ? pieces[Math.floor(rnd() * pieces.length)] : choice < 0.8 ? words[Math.floor(rnd() * words.length)][0] : '';
        if (at + len <= text.length) text = text.slice(0, at) + replacement + text.slice(at + len);
      }
      const r = lowerSource(text, 'fuzz.lpnet', { maxNodes: 2000 });
      const internal = r.diagnostics.filter((d) => d.code === 'LPC1299' || d.code === 'LPC1000');
      expect(internal.map(renderOneLine), text).toEqual([]);
    }
  });
});
