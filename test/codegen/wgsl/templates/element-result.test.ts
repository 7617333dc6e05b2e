import { describe, expect, it } from 'vitest';
import { PORTABLE_WGSL } from '../../../../src/codegen/wgsl/lib/capabilities.js';
import { wgsl } from '../../../../src/codegen/wgsl/lib/expr.js';
import type { KernelRequest, KernelRng } from '../../../../src/codegen/wgsl/lib/kernel.js';
import { ShaderBuilder } from '../../../../src/codegen/wgsl/lib/shader-builder.js';
import { ENFORCEMENT_RNG_PREFIX, finishElement, sameGrid } from '../../../../src/codegen/wgsl/lib/templates/element-result.js';
import { F32, fixed, I32, type NumberType } from '../../../../src/numeric/number-type.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';

/** How an op's result reaches the stored output: which paths round, which draw, which keep codes. */
function request(out: NumberType, training = false, epilogue: KernelRequest['epilogue'] = []): KernelRequest {
  return {
    capabilities: PORTABLE_WGSL,
    node: 'n',
    inputs: [],
    params: [],
    paramQuantizers: [],
    paramQuantizerStreams: [],
    output: { id: 'y', type: out, shape: [4] },
    attrs: {},
    epilogue,
    accumulate: 'f32',
    training,
    stream: 7,
  };
}

const i = wgsl('u32', 'lpc_i');

describe('finishElement', () => {
  it('sameGrid: same scale and a range within the target', () => {
    expect(sameGrid(fixed(4, 4), fixed(4, 4, 'stochastic'))).toBe(true);
    expect(sameGrid(fixed(4, 4), fixed(4, 4, 'nearest', 'saturate'))).toBe(true);
    expect(sameGrid(fixed(4, 4, 'nearest', 'saturate'), fixed(4, 4))).toBe(false); // -128 is not a symmetric code
    expect(sameGrid(fixed(4, 4), fixed(3, 5))).toBe(false);
    expect(sameGrid(F32, fixed(4, 4))).toBe(false);
    expect(sameGrid(I32, I32)).toBe(true);
  });

  it('stores a code of the output type as it is: no quantizer', () => {
    const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 1 });
    const r = finishElement(b, request(fixed(16, 16)), { code: wgsl('i32', 'k'), type: fixed(16, 16) }, i, []);
    expect(r.result.type).toBe('i32');
    expect(r.lines.join('\n')).not.toContain('lpc_quant');
  });

  it('rounds an off-grid value under a stochastic output with the enforcement stream, only in training', () => {
    const out = fixed(4, 4, 'stochastic');
    for (const training of [false, true]) {
      const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 1 });
      const rng: KernelRng[] = [];
      finishElement(b, request(out, training), { value: wgsl('f32', 'v') }, i, rng);
      expect(rng).toEqual(training ? [{ prefix: ENFORCEMENT_RNG_PREFIX, stream: (7 | (255 << 24)) >>> 0 }] : []);
    }
  });

  it('a last quantize stage of the output type gives its code directly (emitCode), and its keys', () => {
    const t = fixed(10, 20, 'stochastic');
    const stage = quantizeOp.wgsl!.elementwise!({ to: t }, F32, { training: true, stream: 7, rngPrefix: 'ep0' });
    const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 1 });
    const rng: KernelRng[] = [];
    const r = finishElement(b, request(t, true, [stage]), { value: wgsl('f32', 'v') }, i, rng);
    expect(r.lines.at(-1)).toMatch(/\.code;$/);
    expect(rng).toEqual([{ prefix: 'ep0', stream: 7 }]);
  });
});
