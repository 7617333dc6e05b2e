import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderOneLine } from '../../../src/diag/render.js';
import { F32, fixed } from '../../../src/numeric/number-type.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { loadWeightsFile, matchWeights, storedMasters } from '../../../src/runtime/weights/match-weights.js';
import { writeLpwFile } from '../../../src/runtime/weights/lpw-write.js';
import type { StoredTensor } from '../../../src/runtime/weights/lpw-format.js';
import { lowerNet } from '../helpers/nets.js';

const SRC = `
type W = fixed<2, 6>
net M() {
  input x: f32[2, 1, 6, 6]
  c1 = conv(x, filters: 4, kernel: 3, weights: W)
  f1 = dense(c1, units: 5, bias: fixed<4, 4>)
  output f1
}`;

const dir = mkdtempSync(join(tmpdir(), 'lpc-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('matching weights against a net', () => {
  const g = lowerNet(SRC, 'm.lpnet');

  it('accepts f32 masters and codes of the declared types', () => {
    const masters = storedMasters(g, initWeights(g, 1));
    expect(matchWeights(g, { net: 'M', tensors: masters }, 'w.lpw').diagnostics).toEqual([]);
    const quantized = masters.map((t): StoredTensor => {
      if (t.name === 'c1.weights') return { ...t, type: fixed(2, 6), data: t.data.map((v) => Math.max(-127, Math.min(127, Math.round(v * 64))) / 64) };
      if (t.name === 'f1.bias') return { ...t, type: fixed(4, 4), data: t.data.map(() => -0.5) };
      return t;
    });
    const m = matchWeights(g, { tensors: quantized }, 'w.lpw');
    expect(m.diagnostics).toEqual([]);
    expect([...m.weights!.get('f1.bias')!.data]).toEqual([-0.5, -0.5, -0.5, -0.5, -0.5]);
  });

  it('reports every mismatch at once: missing, unexpected, wrong shape, wrong type', () => {
    const masters = storedMasters(g, initWeights(g, 1)).filter((t) => t.name !== 'c1.bias');
    const tensors = masters.map((t): StoredTensor => {
      if (t.name === 'f1.weights') return { ...t, shape: [5, 64, 1], data: t.data };
      if (t.name === 'c1.weights') return { ...t, type: fixed(4, 4), data: t.data.map(() => 0) };
      return t;
    });
    tensors.push({ name: 'c1.wieghts', shape: [1], type: F32, data: Float64Array.of(0) });
    const m = matchWeights(g, { net: 'LeNet', tensors }, 'old.lpw');
    expect(m.weights).toBeUndefined();
    expect(m.diagnostics.map(renderOneLine)).toEqual([
      "warning LPC3024: old.lpw: the weights were written for net 'LeNet', not 'M'",
      "m.lpnet:5:8: error LPC3023: old.lpw: tensor 'c1.weights' is stored as fixed<4, 4> but the parameter takes f32 or fixed<2, 6>",
      "m.lpnet:5:8: error LPC3020: old.lpw: no tensor for parameter 'c1.bias' [4]",
      "m.lpnet:6:8: error LPC3022: old.lpw: tensor 'f1.weights' has shape [5, 64, 1] but the net's parameter has shape [5, 64]",
      "error LPC3021: old.lpw: tensor 'c1.wieghts' [1] is not a parameter of net 'M'",
    ]);
    expect(m.diagnostics[4].hint).toMatch(/^did you mean `c1\.weights`/);
    expect(m.diagnostics.every((d) => d.hint)).toBe(true);
  });

  it('writes atomically and loads back from disk', () => {
    const weights = initWeights(g, 9);
    const path = join(dir, 'm.lpw');
    expect(writeLpwFile(path, { net: 'M', tensors: storedMasters(g, weights) })).toEqual([]);
    const back = loadWeightsFile(g, path, 'm.lpw');
    expect(back.diagnostics).toEqual([]);
    for (const [id, t] of weights) expect([...back.weights!.get(id)!.data]).toEqual([...t.data]);
    const missing = loadWeightsFile(g, join(dir, 'nope.lpw'), 'nope.lpw');
    expect(missing.diagnostics.map(renderOneLine)).toEqual(["error LPC3080: cannot read weights file 'nope.lpw': no such file"]);
    const noFolder = writeLpwFile(join(dir, 'no', 'such', 'folder.lpw'), { tensors: [] });
    expect(noFolder[0].code).toBe('LPC3081');
  });
});

describe('initial weights from the fillers', () => {
  it('are deterministic per seed, and per parameter independent of the other layers', () => {
    const g = lowerNet(SRC);
    const a = initWeights(g, 1);
    const b = initWeights(g, 1);
    const c = initWeights(g, 2);
    expect([...a.get('c1.weights')!.data]).toEqual([...b.get('c1.weights')!.data]);
    expect([...a.get('c1.weights')!.data]).not.toEqual([...c.get('c1.weights')!.data]);
    // constant fillers: biases start at 0
    expect([...a.get('c1.bias')!.data]).toEqual([0, 0, 0, 0]);
    const smaller = lowerNet(`
      type W = fixed<2, 6>
      net M() {
        input x: f32[2, 1, 6, 6]
        c1 = conv(x, filters: 4, kernel: 3, weights: W)
        output c1
      }`);
    expect([...initWeights(smaller, 1).get('c1.weights')!.data]).toEqual([...a.get('c1.weights')!.data]);
    // two parameters of one shape do not share values
    expect(a.get('f1.weights')!.data.every((v) => Number.isFinite(v) && v === Math.fround(v))).toBe(true);
  });
});
