import type { Expr } from '../expr.js';
import type { WgslCapabilities } from '../capabilities.js';
import type { KernelBinding, KernelDispatch, KernelRng, KernelTensor } from '../kernel.js';
import { ShaderBuilder, type BuiltShader, type StorageAccess } from '../shader-builder.js';
import type { TensorAccessor } from '../tensor-accessor.js';
import { flatAccessor, flatUniforms, tensorBindingsOf } from './kernel-io.js';

/**
 * What every kernel template records while it builds one compute shader: the shader builder and,
 * for the dispatch, the bindings, the uniform values (each flat tensor's length and the template's
 * own), the rng keys and the scratch buffers. The templates (element-kernel.ts, grad-kernel.ts,
 * gemm-kernel.ts, gemm-backward-kernel.ts) extend it and add their bodies.
 */
export class KernelParts {
  readonly b: ShaderBuilder;
  readonly rng: KernelRng[] = [];
  readonly bindings: KernelBinding[] = [];
  private readonly flat: [TensorAccessor, KernelTensor][] = [];
  private readonly values: Record<string, number> = {};
  private readonly scratch: { id: string; bytes: number }[] = [];

  constructor(capabilities: WgslCapabilities, workgroupSize: number | readonly [number, number?, number?]) {
    this.b = new ShaderBuilder({ capabilities, workgroupSize });
  }

  /** A tensor read (or written) by flat offset; its bindings and length uniform are recorded. */
  input(name: string, t: KernelTensor, access: StorageAccess = 'read'): TensorAccessor {
    const acc = flatAccessor(this.b, name, t, access);
    this.flat.push([acc, t]);
    this.bindings.push(...tensorBindingsOf(acc, t));
    return acc;
  }

  /** A raw f32 storage buffer bound to scratch `id` (statistics computed by an earlier dispatch). */
  scratchBuffer(name: string, id: string, access: StorageAccess, bytes?: number): string {
    const binding = this.b.storageBuffer(name, 'f32', access);
    this.bindings.push({ name: binding, tensor: id });
    if (bytes !== undefined) this.declareScratch(id, bytes);
    return binding;
  }

  /** Lists scratch buffer `id` of `bytes` bytes in the dispatch (once, however often it is bound). */
  declareScratch(id: string, bytes: number): void {
    if (!this.scratch.some((s) => s.id === id)) this.scratch.push({ id, bytes });
  }

  /** A uniform field with its value for this dispatch. */
  uniform<T extends 'u32' | 'i32' | 'f32'>(name: string, type: T, value: number): Expr<T> {
    const e = this.b.uniform(name, type);
    this.values[e.code.replace(/^lpc_u\./, '')] = value;
    return e;
  }

  /** A u32 uniform field with its value, which must be a u32. */
  u32(name: string, value: number): Expr<'u32'> {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`uniform ${name} = ${value} is not a u32`);
    return this.uniform(name, 'u32', value);
  }

  /** Records the keys a stage draws from (each prefix once). */
  collect(r: KernelRng | undefined): void {
    if (r && !this.rng.some((k) => k.prefix === r.prefix)) this.rng.push(r);
  }

  /** The dispatch of the finished shader: what was recorded, with its label and grid. */
  protected dispatchOf(label: string, shader: BuiltShader, workgroups: [number, number, number]): KernelDispatch {
    return {
      label,
      shader,
      workgroups,
      uniforms: { ...flatUniforms(this.flat), ...this.values },
      bindings: this.bindings,
      ...(this.scratch.length > 0 ? { scratch: this.scratch } : {}),
      ...(this.rng.length > 0 ? { rng: this.rng } : {}),
    };
  }
}
