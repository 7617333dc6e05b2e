import { BUNDLE_CODES } from '../../codegen/ts/codes.js';
import type { WgslProgram } from '../../codegen/wgsl/program-types.js';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { LpcDevice } from '../webgpu/device.js';
import { LpcError } from './errors.js';

/**
 * Whether a device can run a compiled program, checked before any pipeline is made so the answer
 * names what is missing rather than surfacing as a shader error: the WGSL language features and
 * device features its shaders declare (`requires ...;`, `enable ...;`), their workgroup sizes, and
 * their storage bindings per stage. A program compiled for the portable limits (the default of
 * `lpc compile`) passes on every WebGPU device.
 */
function declared(code: string, keyword: 'requires' | 'enable'): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(new RegExp(`^\\s*${keyword}\\s+([^;]+);`, 'gm'))) out.push(...m[1].split(',').map((s) => s.trim()));
  return out;
}

export function checkDevice(program: WgslProgram, dev: LpcDevice): void {
  const problems: string[] = [];
  const limits = dev.capabilities.limits;
  const languageFeatures = dev.wgsl.languageFeatures;
  for (const s of program.shaders.values()) {
    for (const f of declared(s.code, 'requires')) if (!languageFeatures.has(f)) problems.push(`shader ${s.key} requires the WGSL language feature ${f}`);
    for (const f of declared(s.code, 'enable')) if (!dev.capabilities.features.has(f === 'f16' ? 'shader-f16' : f)) problems.push(`shader ${s.key} enables the device feature ${f}`);
    const [x, y, z] = s.workgroupSize;
    const invocations = x * y * z;
    if (x > (limits.maxComputeWorkgroupSizeX ?? 256) || y > (limits.maxComputeWorkgroupSizeY ?? 256) || z > (limits.maxComputeWorkgroupSizeZ ?? 64) || invocations > (limits.maxComputeInvocationsPerWorkgroup ?? 256)) {
      problems.push(`shader ${s.key} has workgroups of ${x} x ${y} x ${z} invocations`);
    }
    const storage = s.bindings.filter((b) => b.kind !== 'uniform').length;
    if (storage > (limits.maxStorageBuffersPerShaderStage ?? 8)) problems.push(`shader ${s.key} binds ${storage} storage buffers`);
  }
  if (problems.length === 0) return;
  const unique = [...new Set(problems)];
  const diagnostics: Diagnostic[] = [
    error(BUNDLE_CODES.DEVICE_UNSUITED, `the device '${dev.capabilities.adapter.description || dev.capabilities.adapter.device || 'WebGPU adapter'}' cannot run ${program.net}: ${unique.slice(0, 3).join('; ')}${unique.length > 3 ? `; and ${unique.length - 3} more` : ''}`, undefined, {
      hint: 'compile the net without --device (kernels for the limits every adapter offers), or run it on the adapter it was compiled for',
    }),
  ];
  throw new LpcError(diagnostics);
}
