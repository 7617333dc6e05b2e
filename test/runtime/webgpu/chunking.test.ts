import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../../src/diag/diagnostic.js';
import { F32, fixed } from '../../../src/numeric/number-type.js';
import { planChunks } from '../../../src/runtime/webgpu/chunking.js';
import { WEBGPU_CODES } from '../../../src/runtime/webgpu/codes.js';

const LAVAPIPE = { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 32 - 1, minStorageBufferOffsetAlignment: 16, maxChunks: 8 };

describe('planChunks', () => {
  it('keeps a tensor that fits one binding whole', () => {
    const p = planChunks(F32, 1000, LAVAPIPE);
    expect(p.chunks).toEqual([{ buffer: 0, offset: 0, size: 4000, firstElement: 0, elements: 1000 }]);
    expect(p.bufferSizes).toEqual([4000]);
  });

  it("splits VGG16's fc6 weights (102,760,448 values) at 16 bits into two bindings of at most 128 MiB", () => {
    const n = 4096 * 25088;
    const p = planChunks(fixed(2, 14), n, LAVAPIPE);
    expect(p.chunks.length).toBe(2);
    expect(p.chunks.every((c) => c.size <= 2 ** 27 && c.offset % 16 === 0)).toBe(true);
    expect(p.chunkElements % 2).toBe(0);
    expect(p.chunks.reduce((a, c) => a + c.elements, 0)).toBe(n);
    expect(p.chunks[1].firstElement).toBe(p.chunkElements);
    // in f32 the same tensor needs four
    expect(planChunks(F32, n, LAVAPIPE).chunks.length).toBe(4);
  });

  it('aligns chunk offsets and starts a new buffer when maxBufferSize is reached', () => {
    const p = planChunks(fixed(4, 4), 37, { maxStorageBufferBindingSize: 64, maxBufferSize: 40, minStorageBufferOffsetAlignment: 16 }, 8);
    expect(p.chunks.map((c) => [c.buffer, c.offset, c.size, c.elements])).toEqual([
      [0, 0, 8, 8],
      [0, 16, 8, 8],
      [0, 32, 8, 8],
      [1, 0, 8, 8],
      [1, 16, 8, 5],
    ]);
    expect(p.bufferSizes).toEqual([40, 24]);
  });

  it('rejects chunk sizes that split a word, and tensors that need more bindings than allowed', () => {
    expect(() => planChunks(fixed(4, 4), 37, LAVAPIPE, 6)).toThrow(/multiple of 4/);
    try {
      planChunks(F32, 2 ** 30, { ...LAVAPIPE, maxChunks: 4 }, undefined, 'fc6.weights');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiagnosticError);
      const d = (e as DiagnosticError).diagnostics[0];
      expect(d.code).toBe(WEBGPU_CODES.TENSOR_TOO_LARGE);
      expect(d.message).toContain('fc6.weights');
      expect(d.hint).toContain('--backend cpu');
    }
  });
});
