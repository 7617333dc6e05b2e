import { describe, expect, it } from 'vitest';
import { F32, fixed } from '../../src/numeric/number-type.js';
import { decodeLpw } from '../../src/runtime/weights/lpw-read.js';
import { encodeLpw } from '../../src/runtime/weights/lpw-write.js';
import { dataSectionStart, type LpwContents } from '../../src/runtime/weights/lpw-format.js';
import { testRandom } from '../helpers/gradcheck.js';

const sample: LpwContents = {
  net: 'Tiny',
  tensors: [
    { name: 'c1.weights', shape: [2, 3], type: F32, data: Float64Array.from([1, -2, 0.5, 0.25, -0.125, 3]) },
    { name: 'c1.bias', shape: [2], type: fixed(2, 2), data: Float64Array.from([-1.75, 1.75]) },
    { name: 'f1.weights', shape: [3], type: fixed(8, 8), data: Float64Array.from([-1, 0, 127.5]) },
  ],
};

function valid(): Uint8Array {
  const r = encodeLpw(sample);
  if ('diagnostics' in r) throw new Error('encode');
  return r.bytes;
}

function split(bytes: Uint8Array): { manifest: Record<string, unknown>; data: Uint8Array } {
  const m = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  return {
    manifest: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + m))),
    data: bytes.slice(dataSectionStart(m)),
  };
}

/** A file with the same data section and an edited manifest (the data start moves with the manifest's length). */
function withManifest(edit: (m: { net?: string; format: unknown; tensors: Record<string, unknown>[] }) => void, dataEdit?: (d: Uint8Array) => void): Uint8Array {
  const { manifest, data } = split(valid());
  edit(manifest as never);
  dataEdit?.(data);
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const start = dataSectionStart(json.length);
  const out = new Uint8Array(start + data.length);
  out.set(new TextEncoder().encode('LPW1'));
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(data, start);
  return out;
}

function codesOf(bytes: Uint8Array): string[] {
  return decodeLpw(bytes, 'w.lpw').diagnostics.map((d) => d.code);
}

describe('damaged .lpw files are diagnostics', () => {
  it('reads the untouched sample', () => {
    expect(decodeLpw(valid(), 'w.lpw').contents?.tensors.length).toBe(3);
  });

  it('wrong magic', () => {
    const b = valid();
    b[0] = 0x50;
    const r = decodeLpw(b, 'model.caffemodel');
    expect(r.diagnostics[0].code).toBe('LPC3001');
    expect(r.diagnostics[0].message).toContain('model.caffemodel');
    expect(r.diagnostics[0].hint).toBeTruthy();
    expect(codesOf(new TextEncoder().encode('{"format": 1}'))).toEqual(['LPC3001']);
  });

  it('cut short in the header, the manifest or the data', () => {
    const b = valid();
    expect(codesOf(new Uint8Array(0))).toEqual(['LPC3002']);
    expect(codesOf(b.slice(0, 3))).toEqual(['LPC3002']);
    expect(codesOf(b.slice(0, 20))).toEqual(['LPC3002']);
    const r = decodeLpw(b.slice(0, b.length - 4), 'w.lpw');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LPC3005']);
    expect(r.diagnostics[0].message).toMatch(/f1\.weights.*file is \d+ bytes long/);
  });

  it('a manifest that is not JSON, or not UTF-8', () => {
    const b = valid();
    b[9] = 0x7d; // a stray `}` early in the JSON text
    expect(codesOf(b)).toEqual(['LPC3003']);
    const c = valid();
    c[10] = 0xff;
    expect(codesOf(c)).toEqual(['LPC3003']);
  });

  it('a manifest of the wrong shape, reporting each bad entry', () => {
    expect(codesOf(withManifest((m) => (m.format = 2)))).toEqual(['LPC3004']);
    expect(decodeLpw(withManifest((m) => (m.format = 2)), 'w.lpw').diagnostics[0].message).toMatch(/format 2; this lpc reads format 1/);
    const two = decodeLpw(
      withManifest((m) => {
        m.tensors[0].shape = [2, -3];
        delete m.tensors[2].offset;
        m.tensors[1].encoding = 'zip';
      }),
      'w.lpw',
    );
    expect(two.diagnostics.map((d) => d.code)).toEqual(['LPC3004', 'LPC3004', 'LPC3004']);
    expect(two.diagnostics[0].message).toMatch(/'c1\.weights'.*`shape`/);
    expect(two.diagnostics[2].message).toMatch(/'f1\.weights'.*`offset`/);
    expect(codesOf(withManifest((m) => ((m as { tensors: unknown }).tensors = 'none')))).toEqual(['LPC3004']);
  });

  it('extents that do not fit the shape, the alignment or the file', () => {
    expect(codesOf(withManifest((m) => (m.tensors[0].bytes = 20)))).toEqual(['LPC3005']);
    expect(codesOf(withManifest((m) => (m.tensors[1].offset = 28)))).toEqual(['LPC3005']);
    expect(codesOf(withManifest((m) => (m.tensors[2].offset = 4096)))).toEqual(['LPC3005']);
  });

  it('types that are not understood or do not match the encoding', () => {
    expect(codesOf(withManifest((m) => (m.tensors[0].type = 'f16')))).toEqual(['LPC3006']);
    expect(codesOf(withManifest((m) => (m.tensors[0].encoding = 'packed')))).toEqual(['LPC3006']);
  });

  it('codes outside the type, and non-zero padding', () => {
    const { manifest } = split(valid());
    const biasAt = (manifest.tensors as { offset: number }[])[1].offset;
    // fixed<2, 2> saturate_symmetric allows codes -7..7; lane value 8 is out of range
    const out = decodeLpw(withManifest(() => {}, (d) => (d[biasAt] = 8)), 'w.lpw');
    expect(out.diagnostics.map((d) => d.code)).toEqual(['LPC3007']);
    expect(out.diagnostics[0].message).toMatch(/code 8, outside the type's codes -7\.\.7/);
    // a lane with stray bits above the sign (0x18 = 24 is no 4-bit code)
    expect(codesOf(withManifest(() => {}, (d) => (d[biasAt + 1] = 0x18)))).toEqual(['LPC3007']);
    expect(codesOf(withManifest(() => {}, (d) => (d[biasAt + 3] = 1)))).toEqual(['LPC3007']);
  });

  it('duplicate names and non-finite f32 values', () => {
    expect(codesOf(withManifest((m) => (m.tensors[1].name = 'c1.weights')))).toEqual(['LPC3008']);
    const nan = withManifest(() => {}, (d) => new DataView(d.buffer).setFloat32(4, NaN, true));
    expect(codesOf(nan)).toEqual(['LPC3009']);
  });

  it('survives random byte flips and truncations without throwing', () => {
    const good = valid();
    const rand = testRandom(2024);
    const pick = (n: number) => Math.floor(((rand() + 1) / 2) * n);
    let damagedReported = 0;
    for (let trial = 0; trial < 600; trial++) {
      let b = good.slice();
      const flips = 1 + pick(4);
      for (let f = 0; f < flips; f++) b[pick(b.length)] ^= 1 << pick(8);
      if (trial % 3 === 0) b = b.slice(0, pick(b.length));
      const r = decodeLpw(b, 'fuzz.lpw');
      if (r.contents) {
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      } else {
        damagedReported++;
        expect(r.diagnostics.length).toBeGreaterThan(0);
        for (const d of r.diagnostics) expect(d.code).toMatch(/^LPC30[0-1]\d$/);
      }
    }
    expect(damagedReported).toBeGreaterThan(300);
  });
});
