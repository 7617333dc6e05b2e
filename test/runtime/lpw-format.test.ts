import { describe, expect, it } from 'vitest';
import { F32, I32, fixed, codeRange, type FixedType } from '../../src/numeric/number-type.js';
import { decodeLpw } from '../../src/runtime/weights/lpw-read.js';
import { encodeLpw } from '../../src/runtime/weights/lpw-write.js';
import { dataSectionStart, type LpwContents, type StoredTensor } from '../../src/runtime/weights/lpw-format.js';
import { parseTypeSpelling } from '../../src/runtime/weights/type-spelling.js';

function encode(contents: LpwContents): Uint8Array {
  const r = encodeLpw(contents);
  if ('diagnostics' in r) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.bytes;
}

function roundTrip(contents: LpwContents): LpwContents {
  const r = decodeLpw(encode(contents), 'w.lpw');
  expect(r.diagnostics).toEqual([]);
  return r.contents!;
}

/** Every code from kmin to kmax, including both saturation boundaries, negative codes and zero. */
function allCodes(t: FixedType, maxCount = 600): Float64Array {
  const { kmin, kmax } = codeRange(t);
  const span = kmax - kmin + 1;
  const out: number[] = [];
  if (span <= maxCount) for (let k = kmin; k <= kmax; k++) out.push(k);
  else {
    // wide types: the edges, around zero, and a spread in between
    for (const k of [kmin, kmin + 1, kmin + 2, -2, -1, 0, 1, 2, kmax - 2, kmax - 1, kmax]) out.push(k);
    for (let i = 0; i < 200; i++) out.push(Math.round(kmin + ((kmax - kmin) * i) / 199));
  }
  return Float64Array.from(out, (k) => k * 2 ** -t.fracBits);
}

describe('.lpw round trip', () => {
  it('keeps f32 tensors, the net name and tensor order', () => {
    const a: StoredTensor = { name: 'c1.weights', shape: [2, 1, 2, 2], type: F32, data: Float64Array.from([0.5, -1.25, 3e-5, 1e30, -0, 7, 0.1, -2], Math.fround) };
    const b: StoredTensor = { name: 'c1.bias', shape: [2], type: F32, data: Float64Array.from([1, -1]) };
    const scalar: StoredTensor = { name: 'bn.scale_factor', shape: [], type: F32, data: Float64Array.from([1]) };
    const back = roundTrip({ net: 'LeNet', tensors: [a, b, scalar] });
    expect(back.net).toBe('LeNet');
    expect(back.tensors.map((t) => t.name)).toEqual(['c1.weights', 'c1.bias', 'bn.scale_factor']);
    expect([...back.tensors[0].data]).toEqual([...a.data]);
    expect(back.tensors[0].shape).toEqual([2, 1, 2, 2]);
    expect(back.tensors[2].shape).toEqual([]);
  });

  it('rounds f64 values to f32 when storing them as f32', () => {
    const back = roundTrip({ tensors: [{ name: 'w', shape: [1], type: F32, data: Float64Array.of(0.1) }] });
    expect(back.tensors[0].data[0]).toBe(Math.fround(0.1));
  });

  const widths: [number, number, string][] = [
    [2, 2, 'round: stochastic'],
    [3, 5, ''],
    [2, 6, ''],
    [4, 8, 'overflow: saturate'],
    [8, 8, ''],
    [12, 12, 'overflow: wrap'],
    [2, 30, ''],
    [16, 16, 'overflow: saturate'],
  ];
  for (const [i, f, opts] of widths) {
    const spelled = `fixed<${i}, ${f}${opts ? `, ${opts}` : ''}>`;
    it(`stores ${spelled} (${i + f}-bit codes) packed, every code exactly`, () => {
      const parsed = parseTypeSpelling(spelled);
      if (!('type' in parsed) || parsed.type.kind !== 'fixed') throw new Error('spelling');
      const t = parsed.type;
      const data = allCodes(t);
      const bytes = encode({ tensors: [{ name: 'q', shape: [data.length], type: t, data }] });
      const back = decodeLpw(bytes, 'q.lpw');
      expect(back.diagnostics).toEqual([]);
      const got = back.contents!.tensors[0];
      expect(got.type).toEqual(t);
      expect([...got.data]).toEqual([...data]);
    });
  }

  it('packs 4 codes per u32 up to 8 bits and 2 up to 16, sign-extended in little-endian lanes', () => {
    const t8 = fixed(2, 6);
    const bytes = encode({ tensors: [{ name: 'a', shape: [5], type: t8, data: Float64Array.from([-1, 1, -(2 ** -6), 0.5, 127 / 64]) }] });
    const manifestLength = new DataView(bytes.buffer).getUint32(4, true);
    const start = dataSectionStart(manifestLength);
    // codes -64, 64, -1, 32, 127 as i8 lanes, padded with zero lanes to 2 u32 words
    expect([...bytes.subarray(start, start + 8)]).toEqual([0xc0, 0x40, 0xff, 0x20, 0x7f, 0, 0, 0]);
    expect(bytes.length).toBe(start + 8);

    const t12 = fixed(4, 8);
    const b12 = encode({ tensors: [{ name: 'a', shape: [3], type: t12, data: Float64Array.from([-1, 2, -8 + 2 ** -8]) }] });
    const s12 = dataSectionStart(new DataView(b12.buffer).getUint32(4, true));
    const v = new DataView(b12.buffer, s12);
    expect([v.getInt16(0, true), v.getInt16(2, true), v.getInt16(4, true), v.getInt16(6, true)]).toEqual([-256, 512, -2047, 0]);

    const t24 = fixed(12, 12);
    const b24 = encode({ tensors: [{ name: 'a', shape: [2], type: t24, data: Float64Array.from([-1, 2047]) }] });
    const s24 = dataSectionStart(new DataView(b24.buffer).getUint32(4, true));
    const v24 = new DataView(b24.buffer, s24);
    expect([v24.getInt32(0, true), v24.getInt32(4, true)]).toEqual([-4096, 2047 * 4096]);
  });

  it('stores i32 tensors one value per word', () => {
    const back = roundTrip({ tensors: [{ name: 'labels', shape: [3], type: I32, data: Float64Array.from([-(2 ** 31), 0, 2 ** 31 - 1]) }] });
    expect([...back.tensors[0].data]).toEqual([-(2 ** 31), 0, 2 ** 31 - 1]);
  });

  it('aligns every tensor to 8 bytes and mixes encodings', () => {
    const tensors: StoredTensor[] = [
      { name: 'a', shape: [3], type: F32, data: Float64Array.from([1, 2, 3]) },
      { name: 'b', shape: [1], type: fixed(2, 2), data: Float64Array.from([-1.75]) },
      { name: 'c', shape: [3], type: fixed(8, 8), data: Float64Array.from([-128 + 2 ** -8, 0, 1]) },
    ];
    const bytes = encode({ tensors });
    const manifestLength = new DataView(bytes.buffer).getUint32(4, true);
    const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + manifestLength)));
    expect(manifest.format).toBe(1);
    expect(manifest.tensors.map((t: { offset: number }) => t.offset)).toEqual([0, 16, 24]);
    expect(manifest.tensors.map((t: { type: string }) => t.type)).toEqual(['f32', 'fixed<2, 2>', 'fixed<8, 8>']);
    expect(manifest.tensors.map((t: { encoding: string }) => t.encoding)).toEqual(['f32', 'packed', 'packed']);
    expect(roundTrip({ tensors }).tensors.map((t) => [...t.data])).toEqual(tensors.map((t) => [...t.data]));
  });

  it('refuses to store values that are not codes of their type', () => {
    const offGrid = encodeLpw({ tensors: [{ name: 'w', shape: [2], type: fixed(2, 2), data: Float64Array.from([0.25, 0.3]) }] });
    expect('diagnostics' in offGrid && offGrid.diagnostics[0].code).toBe('LPC3010');
    // -2 is the most negative code of saturate, not of the default saturate_symmetric
    const beyond = encodeLpw({ tensors: [{ name: 'w', shape: [1], type: fixed(2, 2), data: Float64Array.from([-2]) }] });
    expect('diagnostics' in beyond && beyond.diagnostics[0].message).toMatch(/not a value of fixed<2, 2>/);
    const dup = encodeLpw({
      tensors: [
        { name: 'w', shape: [1], type: F32, data: Float64Array.of(1) },
        { name: 'w', shape: [1], type: F32, data: Float64Array.of(1) },
      ],
    });
    expect('diagnostics' in dup && dup.diagnostics[0].code).toBe('LPC3008');
  });
});

describe('type spellings', () => {
  it('reads canonical and hand-written spellings', () => {
    expect(parseTypeSpelling('f32')).toEqual({ type: F32 });
    expect(parseTypeSpelling('fixed<4, 4, round: stochastic>')).toEqual({ type: fixed(4, 4, 'stochastic') });
    expect(parseTypeSpelling(' fixed<4,4, overflow: wrap , round: floor> ')).toEqual({ type: fixed(4, 4, 'floor', 'wrap') });
  });
  it('explains bad spellings', () => {
    for (const bad of ['f16', 'fixed<0, 4>', 'fixed<20, 20>', 'fixed<4>', 'fixed<4, 4, round: up>', 'fixed<4, 4, round: floor, round: zero>', 'fixed<a, 4>']) {
      expect('problem' in parseTypeSpelling(bad)).toBe(true);
    }
  });
});
