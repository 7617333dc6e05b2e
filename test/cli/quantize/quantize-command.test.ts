import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainBackendNames } from '../../../src/runtime/train/backend-registry.js';
import { lpcIn, makeWorkspace } from './fixtures.js';

const dir = makeWorkspace('lpc-quantize-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lpc = (...args: string[]) => lpcIn(dir, ...args);
const read = (f: string) => readFileSync(join(dir, f), 'utf8');
const COMMON = ['--weights', 'trained/weights.lpw', '--data', 'data', '--backend', 'cpu', '--calib-batches', '4'];

/** Every `fixed<I, F>` of a text (the formatter may break one over lines), as [I, F]. */
const fixedTypes = (text: string) => [...text.matchAll(/fixed<\s*(\d+),\s*(\d+),?\s*>/g)].map((m) => [Number(m[1]), Number(m[2])]);

beforeAll(async () => {
  const r = await lpc('train', 'small.lpnet', '--data', 'data', '--out', 'trained', '--backend', 'cpu');
  expect(r.code, r.err).toBe(0);
});

describe('lpc quantize', () => {
  it('writes the net with an explicit, commented type per tensor and its weights, then compares float and fixed', async () => {
    const r = await lpc('quantize', 'small.lpnet', ...COMMON, '--bits', '8', '-o', 'q8.lpnet');
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.err).toContain('calibrating on 40 training items (4 batches of 10 at most) on CPU reference');
    expect(r.out).toMatch(/wrote q8\.lpnet and q8\.lpw: 8 tensors typed, 0 kept as declared/);
    expect(r.out).toMatch(/test accuracy on 40 items: float [\d.]+%, quantized [\d.]+% \((drop|gain) of [\d.]+ points\)/);
    expect(r.out).toContain('layer outputs:');
    expect(r.out).toMatch(/logits_c1\s+conv\s+fixed<\d, \d>\s+max\|x\| [\d.]+, p99\.99 [\d.]+/);
    expect(r.out).toMatch(/logits_p1_relu\s+relu\s+fixed<\d, \d>\s+inherited/);
    expect(r.out).toContain('parameters:');
    const text = read('q8.lpnet');
    expect(text).toMatch(/^# Quantized by `lpc quantize` from small\.lpnet \(net Small\) with the weights trained\/weights\.lpw:/);
    expect(text).toContain('net Small(batch: int = 10) {');
    expect(text).toMatch(/# weights: max \|x\| [\d.e-]+, p99\.99 [\d.e-]+ -> fixed<\d, \d>\n\s+# bias: max \|x\| [\d.e-]+, p99\.99 [\d.e-]+ -> fixed<\d, \d>\n\s+# output: max/);
    // Weights, biases and outputs of the two hidden layers, and the logits' parameters: all 8 bits.
    const types = fixedTypes(text.replace(/^\s*#.*$/gm, ''));
    expect(types.length).toBe(8);
    for (const [i, f] of types) expect(i + f).toBe(8);
    // The logits stay f32 (no `-> fixed` on the last dense), the input too.
    expect(text).toMatch(/logits = dense\(logits_f1, units: 3, weights: fixed<\d, \d>, bias: fixed<\d, \d>\)\n/);
    expect(text).toContain('input image: f32[batch, 1, 8, 8]');
    expect(text).toContain('train Small {');

    // lpc check accepts it, and lpc eval with the written weights measures what quantize printed.
    const check = await lpc('check', 'q8.lpnet');
    expect(check.code, check.err).toBe(0);
    const evaluated = await lpc('eval', 'q8.lpnet', '--weights', 'q8.lpw', '--data', 'data');
    expect(evaluated.code, evaluated.err).toBe(0);
    const printed = /quantized ([\d.]+)%/.exec(r.out)![1];
    expect(evaluated.out).toContain(`accuracy ${Number(printed).toFixed(1)}%`);
  });

  it('separate widths, weights only, the input quantized, biases in the weights\' type', async () => {
    const a = await lpc('quantize', 'small.lpnet', ...COMMON, '--weight-bits', '6', '--act-bits', '12', '--no-eval', '-o', 'q612.lpnet');
    expect(a.code, a.err).toBe(0);
    const widths = fixedTypes(read('q612.lpnet').replace(/^\s*#.*$/gm, '')).map(([i, f]) => i + f);
    expect(widths.filter((w) => w === 6)).toHaveLength(6);
    expect(widths.filter((w) => w === 12)).toHaveLength(2);
    expect(a.out).not.toContain('test accuracy');

    const b = await lpc('quantize', 'small.lpnet', ...COMMON, '--weights-only', '--no-keep-input-f32', '--bias', 'same', '--no-eval', '-o', 'qw.lpnet', '--weights-out', 'w-only.lpw');
    expect(b.code, b.err).toBe(0);
    expect(b.out).toContain('wrote qw.lpnet and w-only.lpw');
    const text = read('qw.lpnet');
    expect(text).toContain('activations (input and logits included) kept f32');
    expect(text.replace(/^\s*#.*$/gm, '')).not.toContain('-> fixed');
    expect(text).toContain('input image: f32['); // weights only: the input flag concerns activations
    expect(text).toContain("# bias: the weights' type (--bias same)");
    const c = await lpc('quantize', 'small.lpnet', ...COMMON, '--no-keep-input-f32', '--no-keep-logits-f32', '--no-eval', '-o', 'qall.lpnet');
    expect(c.code, c.err).toBe(0);
    expect(read('qall.lpnet')).toMatch(/input image: fixed<\d, \d>\[batch, 1, 8, 8\]/);
    expect(read('qall.lpnet')).toMatch(/logits = dense\([^)]*\) -> fixed<\d, \d>/);
  });

  it('--keep-types keeps what the net declares and chooses the rest', async () => {
    const r = await lpc('quantize', 'q8.lpnet', '--weights', 'q8.lpw', '--data', 'data', '--backend', 'cpu', '--keep-types', '--bits', '4', '--no-eval', '-o', 'kept.lpnet');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('0 tensors typed, 8 kept as declared');
    expect(r.err).toContain('warning LPC3223');
    const before = fixedTypes(read('q8.lpnet').replace(/^\s*#.*$/gm, ''));
    expect(fixedTypes(read('kept.lpnet').replace(/^\s*#.*$/gm, ''))).toEqual(before);
  });

  it('refuses to pick a backend silently, and says what calibration lacks', async () => {
    if (trainBackendNames().includes('webgpu')) {
      console.log('[quantize test] a webgpu backend is registered: the no-default-backend case is not reachable here');
    } else {
      const r = await lpc('quantize', 'small.lpnet', '--weights', 'trained/weights.lpw', '--data', 'data', '-o', 'x.lpnet');
      expect(r.code).toBe(1);
      expect(r.err).toContain('error LPC3200: no --backend given, and the default backend webgpu cannot be used');
      expect(r.err).toContain('--backend cpu');
    }
    const n = await lpc('quantize', 'small.lpnet', '--weights', 'trained/weights.lpw', '--backend', 'cpu', '-o', 'x.lpnet');
    expect(n.code).toBe(1);
    expect(n.err).toMatch(/error LPC3202: 8 tensors need a type chosen from statistics \(logits_c1\.weights, logits_c1\.bias, logits_c1, \.\.\.\), but --data is missing/);
    const bad = await lpc('quantize', 'small.lpnet', '--bits', '40', '-o', 'x.lpnet');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('a width is a whole number of bits from 2 to 32');
  });
});
