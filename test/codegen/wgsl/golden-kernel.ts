/**
 * The small kernel whose WGSL is checked in under test/golden/wgsl/ (relu, then the quantizer of
 * fixed<4, 4, stochastic>, packed four codes per word, counting saturation): a refactor of the
 * emission library that changes generated code shows up as a diff of that file.
 */
import { PORTABLE_WGSL, type WgslCapabilities } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { wgsl } from '../../../src/codegen/wgsl/lib/expr.js';
import { countQuantStatus, quantize } from '../../../src/codegen/wgsl/lib/quantizer.js';
import { rngKeyUniforms, rngUniform } from '../../../src/codegen/wgsl/lib/rng.js';
import { ShaderBuilder, type BuiltShader } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { TensorAccessor } from '../../../src/codegen/wgsl/lib/tensor-accessor.js';
import { F32, fixed } from '../../../src/numeric/number-type.js';

export const GOLDEN_TYPE = fixed(4, 4, 'stochastic');

export function goldenKernel(capabilities: WgslCapabilities = PORTABLE_WGSL): { shader: BuiltShader; x: TensorAccessor; y: TensorAccessor } {
  const b = new ShaderBuilder({ capabilities, workgroupSize: 64 });
  const x = new TensorAccessor(b, { name: 'x', type: F32, shape: { rank: 4 }, access: 'read' });
  const y = new TensorAccessor(b, { name: 'y', type: GOLDEN_TYPE, shape: { rank: 4 }, access: 'read_write' });
  const keys = rngKeyUniforms(b);
  // Lanes past the end read the last element (their codes are discarded by storeCodes).
  const lane = (k: number) => {
    const i = wgsl('u32', `min(w * 4u + ${k}u, ${x.length()} - 1u)`);
    return quantize(b, GOLDEN_TYPE, wgsl('f32', `max(${x.loadValue(i)}, 0.0)`), rngUniform(b, keys, wgsl('u32', `w * 4u + ${k}u`)));
  };
  const lines = [`let w = ${b.globalIndex()};`, `if (w >= ${y.wordCount()}) { return; }`];
  for (let k = 0; k < 4; k++) {
    lines.push(`let q${k} = ${lane(k)};`);
    lines.push(`if (w * 4u + ${k}u < ${x.length()}) { ${countQuantStatus(b, wgsl('u32', `q${k}.status`))} }`);
  }
  lines.push(y.storeCodes(wgsl('u32', 'w'), wgsl('vec4<i32>', 'vec4<i32>(q0.code, q1.code, q2.code, q3.code)')));
  return { shader: b.main(lines).build(), x, y };
}
