import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeIdx, type IdxElementType } from '../../../src/runtime/data/idx.js';
import { makeIdx } from '../helpers/idx-writer.js';
import { testRandom } from '../../helpers/gradcheck.js';

describe('IDX reader', () => {
  it('reads MNIST-style images (u8, 3 dims)', () => {
    const pixels = Array.from({ length: 2 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const r = decodeIdx(makeIdx('u8', [2, 3, 3], pixels), 'images-idx3-ubyte');
    expect(r.diagnostics).toEqual([]);
    expect(r.idx!.elementType).toBe('u8');
    expect(r.idx!.dims).toEqual([2, 3, 3]);
    expect([...r.idx!.data]).toEqual(pixels);
  });

  it('reads every element type big-endian, signed where signed', () => {
    const cases: [IdxElementType, number[]][] = [
      ['i8', [-128, -1, 0, 127]],
      ['i16', [-32768, -2, 300, 32767]],
      ['i32', [-(2 ** 31), -5, 70000, 2 ** 31 - 1]],
      ['f32', [Math.fround(0.1), -2.5, 1e-3, 0].map(Math.fround)],
      ['f64', [0.1, -1e300, 5e-324, 2]],
    ];
    for (const [type, values] of cases) {
      const r = decodeIdx(makeIdx(type, [values.length], values), `${type}.idx`);
      expect(r.diagnostics).toEqual([]);
      expect([...r.idx!.data]).toEqual(values);
    }
  });

  it('inflates gzip files, recognised by their magic bytes', () => {
    const labels = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9];
    const plain = makeIdx('u8', [10], labels);
    const r = decodeIdx(new Uint8Array(gzipSync(plain)), 'labels.idx1-ubyte.gz');
    expect(r.diagnostics).toEqual([]);
    expect(r.idx!.dims).toEqual([10]);
    expect([...r.idx!.data]).toEqual(labels);
  });

  it('reports bad magic, unknown element types and zero dimensions', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
    expect(decodeIdx(png, 'x.png').diagnostics.map((d) => d.code)).toEqual(['LPC3040']);
    const badType = makeIdx('u8', [1], [0]);
    badType[2] = 0x0a;
    const r = decodeIdx(badType, 'x.idx');
    expect(r.diagnostics[0].code).toBe('LPC3040');
    expect(r.diagnostics[0].message).toMatch(/x\.idx: .*type byte 0x0a/);
    const noDims = Uint8Array.from([0, 0, 8, 0]);
    expect(decodeIdx(noDims, 'x.idx').diagnostics[0].code).toBe('LPC3040');
  });

  it('reports files cut short or with extra bytes', () => {
    const full = makeIdx('i16', [2, 2], [1, 2, 3, 4]);
    const short = decodeIdx(full.slice(0, full.length - 1), 'x.idx');
    expect(short.diagnostics[0].code).toBe('LPC3041');
    expect(short.diagnostics[0].message).toMatch(/need 20 bytes, the file has 19 \(cut short\)/);
    const long = new Uint8Array(full.length + 3);
    long.set(full);
    expect(decodeIdx(long, 'x.idx').diagnostics[0].message).toMatch(/extra bytes/);
    expect(decodeIdx(full.slice(0, 6), 'x.idx').diagnostics[0].code).toBe('LPC3041');
    expect(decodeIdx(full.slice(0, 2), 'x.idx').diagnostics[0].code).toBe('LPC3041');
  });

  it('reports a gzip stream that cannot be inflated', () => {
    const gz = new Uint8Array(gzipSync(makeIdx('u8', [100], new Array(100).fill(3))));
    const broken = gz.slice(0, gz.length - 12);
    const r = decodeIdx(broken, 'train.gz');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LPC3042']);
    expect(r.diagnostics[0].hint).toMatch(/fetch it again/);
  });

  it('survives random byte flips and truncations without throwing', () => {
    const plain = makeIdx('i16', [3, 4], [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12]);
    const gz = new Uint8Array(gzipSync(plain));
    const rand = testRandom(77);
    const pick = (n: number) => Math.floor(((rand() + 1) / 2) * n);
    for (let trial = 0; trial < 400; trial++) {
      let b = (trial % 2 ? gz : plain).slice();
      b[pick(b.length)] ^= 1 << pick(8);
      if (trial % 5 === 0) b = b.slice(0, pick(b.length));
      const r = decodeIdx(b, 'fuzz.idx');
      if (!r.idx) for (const d of r.diagnostics) expect(d.code).toMatch(/^LPC304[0-2]$/);
      else expect(r.idx.data.length).toBe(r.idx.dims.reduce((a, c) => a * c, 1));
    }
  });
});
