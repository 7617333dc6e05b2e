import type { FixedType } from '../../../../numeric/number-type.js';
import { Expr, type U32Like } from '../expr.js';
import type { KernelBinding, KernelRequest, KernelRng, KernelTensor } from '../kernel.js';
import { quantizeValue } from '../quantizer.js';
import { rngKeyUniforms, rngUniform } from '../rng.js';
import type { ShaderBuilder, StorageAccess } from '../shader-builder.js';
import { TensorAccessor } from '../tensor-accessor.js';

/**
 * Tensors of a KernelRequest as a kernel sees them, and the bindings a dispatch lists for them.
 *
 * The kernels of the non-GEMM ops index their tensors by flat element offsets they compute from
 * their own shape uniforms, so an accessor here is declared with rank 1 and a uniform length: the
 * text of the shader does not depend on the shape, and one pipeline serves every layer of the same
 * types. Chunked tensors (larger than maxStorageBufferBindingSize) keep the planner's chunking.
 */
export function flatAccessor(b: ShaderBuilder, name: string, t: KernelTensor, access: StorageAccess): TensorAccessor {
  return new TensorAccessor(b, { name, type: t.type, shape: { rank: 1 }, access, chunking: t.chunking });
}

/** The dispatch bindings of an accessor declared for a KernelTensor: one per chunk. */
export function tensorBindingsOf(acc: TensorAccessor, t: KernelTensor): KernelBinding[] {
  return acc.bindings.map((name, c) => (t.chunking ? { name, tensor: t.id, chunk: c } : { name, tensor: t.id }));
}

/** Storage bindings an accessor for this tensor takes (its chunks). */
export function bindingCount(t: KernelTensor): number {
  return t.chunking ? t.chunking.chunks : 1;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/** The uniform values of flat accessors (their lengths), merged; call after the shader is built. */
export function flatUniforms(pairs: readonly (readonly [TensorAccessor, KernelTensor])[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [acc, t] of pairs) Object.assign(out, acc.uniformValues([elementCount(t.shape)]));
  return out;
}

/**
 * Loads element `i` of parameter `p` as an f32 value, rounded by the request's parameter quantizer
 * when it has one (training reads the f32 master and rounds while loading, as the CPU executor's
 * ParamQuantizer stage does: stochastic types draw from the parameter's stream, counter = flat
 * index). `rng` collects the keys used.
 */
export function paramValue(b: ShaderBuilder, req: KernelRequest, p: number, acc: TensorAccessor, i: U32Like, rng: KernelRng[]): Expr<'f32'> {
  const raw = acc.loadValue(i);
  const q: FixedType | undefined = req.paramQuantizers[p];
  if (!q) return raw;
  const stream = req.paramQuantizerStreams[p];
  if (req.training && q.round === 'stochastic' && stream !== undefined) {
    const prefix = `param${p}_q`;
    const keys = rngKeyUniforms(b, prefix);
    if (!rng.some((r) => r.prefix === prefix)) rng.push({ prefix, stream });
    return quantizeValue(b, q, raw, rngUniform(b, keys, i));
  }
  return quantizeValue(b, q, raw);
}

/** A scratch buffer id unique to the node: the executor allocates scratch per id. */
export function scratchId(req: KernelRequest, purpose: string): string {
  return `${req.node}#${purpose}`;
}
