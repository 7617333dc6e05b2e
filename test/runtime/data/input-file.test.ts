import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/ir/graph.js';
import { F32, I32, fixed, type NumberType } from '../../../src/numeric/number-type.js';
import { decodeInput } from '../../../src/runtime/data/input-file.js';
import { makeIdx } from '../helpers/idx-writer.js';

function input(id: string, dtype: NumberType, shape: number[]): Value {
  return { id, type: { dtype, shape }, role: 'input' };
}

function rawF32(values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setFloat32(4 * i, x, true));
  return out;
}

describe('input files', () => {
  const image = input('image', F32, [2, 1, 2, 2]);

  it('reads raw little-endian f32 of exactly the input size', () => {
    const values = [0.5, -1, 2, 3, 4, 5, 6, Math.fround(0.1)];
    const r = decodeInput(rawF32(values), 'x.f32', image);
    expect(r.diagnostics).toEqual([]);
    expect(r.tensor!.shape).toEqual([2, 1, 2, 2]);
    expect([...r.tensor!.data]).toEqual(values);
  });

  it('reports raw files of the wrong size', () => {
    const r = decodeInput(new Uint8Array(30), 'x.f32', image);
    expect(r.diagnostics[0].code).toBe('LPC3044');
    expect(r.diagnostics[0].message).toMatch(/30 bytes \(7 values and 2 stray bytes\).*needs 8 values \(32 bytes\)/);
  });

  it('takes the first batch of items from a larger IDX file, scaled', () => {
    const pixels = Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 16);
    const r = decodeInput(makeIdx('u8', [3, 2, 2], pixels), 'train-images', image, { scale: 1 / 256 });
    expect(r.diagnostics).toEqual([]);
    expect(r.notes[0]).toMatch(/first 2 of 3 items/);
    expect([...r.tensor!.data]).toEqual(pixels.slice(0, 8).map((p) => p / 256));
  });

  it('reads gzipped IDX and raw files alike', () => {
    const pixels = Array.from({ length: 8 }, (_, i) => i);
    const r = decodeInput(new Uint8Array(gzipSync(makeIdx('u8', [8], pixels))), 'x.gz', image);
    expect([...r.tensor!.data]).toEqual(pixels);
    const raw = decodeInput(new Uint8Array(gzipSync(rawF32(pixels))), 'x.f32.gz', image);
    expect([...raw.tensor!.data]).toEqual(pixels);
  });

  it('reports IDX data whose items do not fit the input', () => {
    const r = decodeInput(makeIdx('u8', [5, 3, 3], new Array(45).fill(0)), 'mnist', image);
    expect(r.diagnostics[0].code).toBe('LPC3043');
    expect(r.diagnostics[0].message).toMatch(/shape \[5, 3, 3\] does not fit input 'image' of shape \[2, 1, 2, 2\]/);
    const tooFew = decodeInput(makeIdx('u8', [1, 2, 2], [1, 2, 3, 4]), 'mnist', image);
    expect(tooFew.diagnostics[0].code).toBe('LPC3043');
  });

  it('labels: whole numbers, unscaled; fractions are reported', () => {
    const label = input('label', I32, [4]);
    const r = decodeInput(makeIdx('u8', [10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]), 'labels', label, { scale: 1 / 256 });
    expect([...r.tensor!.data]).toEqual([7, 2, 1, 0]);
    const bad = decodeInput(rawF32([1, 2.5, 3, 4]), 'labels.f32', label);
    expect(bad.diagnostics[0].code).toBe('LPC3047');
    expect(bad.diagnostics[0].message).toMatch(/element 1 is 2\.5/);
  });

  it('quantizes data for a fixed-point input', () => {
    const q = input('q', fixed(2, 2), [4]);
    const r = decodeInput(rawF32([0.1, 0.125, -5, 1.3]), 'q.f32', q);
    // nearest (half away from zero) on the 0.25 grid; -5 saturates to -1.75
    expect([...r.tensor!.data]).toEqual([0, 0.25, -1.75, 1.25]);
  });
});
