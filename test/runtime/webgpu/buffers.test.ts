import { describe, expect, it } from 'vitest';
import { PORTABLE_WGSL } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { TensorAccessor } from '../../../src/codegen/wgsl/lib/tensor-accessor.js';
import { F32, fixed, I32, type NumberType } from '../../../src/numeric/number-type.js';
import { createTensor, readCodes, readValues, tensorBindings, tensorFromValues, uploadCodes } from '../../../src/runtime/webgpu/buffers.js';
import { getTestDevice } from '../../helpers/webgpu.js';

const TYPES: [string, NumberType, number[]][] = [
  ['f32', F32, [1.5, -0.1, 3e38, -0, 7]],
  ['i32', I32, [3, -7, 2 ** 31 - 1, -(2 ** 31), 0]],
  ['fixed<3, 5> (8-bit lanes)', fixed(3, 5), [0.5, -3.96875, 3.96875, 0.03125, 1]],
  ['fixed<8, 8> (16-bit lanes)', fixed(8, 8), [-127.99609375, 127.99609375, 0.00390625, -1, 2]],
  ['fixed<16, 16> (32-bit)', fixed(16, 16, 'nearest', 'saturate'), [-32768, (2 ** 31 - 1) * 2 ** -16, 2 ** -16, -1, 0]],
];

describe('GPU tensors', () => {
  it.for(TYPES)('%s: values survive upload and readback, whole and chunked', async ([, type, values], ctx) => {
    const device = await getTestDevice();
    if (!device) return ctx.skip();
    const want = values.map((v) => (type.kind === 'f32' ? Math.fround(v) : v));
    for (const chunkElements of [undefined, 4]) {
      const t = tensorFromValues(device, type, values, { label: 't', chunkElements });
      expect(t.ranges.length).toBe(chunkElements ? 2 : 1);
      expect(Array.from(await readValues(device, t))).toEqual(want);
      t.destroy();
    }
  });

  it('uploads and reads integer codes of a fixed tensor', async (ctx) => {
    const device = await getTestDevice();
    if (!device) return ctx.skip();
    const t = createTensor(device, fixed(2, 2), 6);
    uploadCodes(device, t, [-7, 7, 0, -1, 3, -8]);
    expect(Array.from(await readCodes(device, t))).toEqual([-7, 7, 0, -1, 3, -8]);
    expect(() => uploadCodes(device, t, [1])).toThrow(/6 elements/);
    t.destroy();
  });

  it('refuses to bind a tensor to an accessor declared with other chunks', async (ctx) => {
    const device = await getTestDevice();
    if (!device) return ctx.skip();
    const t = createTensor(device, F32, 10, { chunkElements: 4 });
    const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 1 });
    const whole = new TensorAccessor(b, { name: 'a', type: F32, shape: [10], access: 'read' });
    expect(() => tensorBindings(whole, t)).toThrow(/chunk/);
    const split = new TensorAccessor(b, { name: 'c', type: F32, shape: [10], access: 'read', chunking: { chunks: 3, chunkElements: 4 } });
    expect(Object.keys(tensorBindings(split, t))).toEqual(['c_c0', 'c_c1', 'c_c2']);
    t.destroy();
  });
});
