import type { WgslCapabilities } from '../../codegen/wgsl/lib/capabilities.js';
import { wgsl } from '../../codegen/wgsl/lib/expr.js';
import { gridFor, ShaderBuilder, type BuiltShader } from '../../codegen/wgsl/lib/shader-builder.js';
import { TensorAccessor } from '../../codegen/wgsl/lib/tensor-accessor.js';
import type { NumberType } from '../../numeric/number-type.js';

/**
 * The kernel behind per-layer statistics (SEMANTICS.md section 6) of a compiled net: one dispatch
 * per layer output, recorded right after the layer, counts the elements that are exactly zero
 * (activation sparsity), NaN and infinite, and finds the smallest and largest finite value. The
 * counts are gathered in workgroup atomics, then added to the layer's slot of a storage buffer
 * with one global atomic per counter and workgroup, so the tensor never leaves the GPU.
 *
 * Slot layout (STATS_SLOT_WORDS u32 per layer): zeros, nan, infinite, min key, max key. A key is
 * the f32's bits made order-preserving as an unsigned integer (negative: all bits flipped;
 * positive: the sign bit set), so atomicMin/atomicMax on u32 order the values.
 *
 * Zero, NaN and infinity are recognised from the bits, like the quantizer does, so no compiler
 * assumption about NaN can change a count. Fixed-point outputs are read as code * 2^-F.
 */
export const STATS_SLOT_WORDS = 8;
export const STATS_WORKGROUP = 64;

/** The initial contents of one slot: counters at 0, min key at its largest value, max key at 0. */
export function emptySlot(): number[] {
  const s = new Array<number>(STATS_SLOT_WORDS).fill(0);
  s[3] = 0xffffffff;
  return s;
}

export interface StatsKernel {
  shader: BuiltShader;
  /** The storage binding names of the tensor (one per chunk) and of the counters. */
  tensorBindings: readonly string[];
  countersBinding: string;
  /** Uniform values for a tensor of `elements` elements written to slot `slot`. */
  uniforms(elements: number, slot: number): Record<string, number>;
  workgroups(elements: number): [number, number, number];
}

export function statsKernel(caps: WgslCapabilities, type: NumberType, chunking?: { chunks: number; chunkElements: number }): StatsKernel {
  const b = new ShaderBuilder({ capabilities: caps, workgroupSize: STATS_WORKGROUP });
  const x = new TensorAccessor(b, { name: 'x', type, shape: { rank: 1 }, access: 'read', ...(chunking ? { chunking } : {}) });
  const counters = b.storageBuffer('counters', 'atomic<u32>', 'read_write');
  const local = b.workgroupArray('lpc_stats_wg', 'atomic<u32>', 5);
  const base = b.uniform('slot_base', 'u32');
  const lidx = b.builtins.localIndex;
  const i = wgsl('u32', 'i');
  b.main([
    `if (${lidx} == 0u) {`,
    `  atomicStore(&${local}[0], 0u); atomicStore(&${local}[1], 0u); atomicStore(&${local}[2], 0u);`,
    `  atomicStore(&${local}[3], 0xffffffffu); atomicStore(&${local}[4], 0u);`,
    '}',
    'workgroupBarrier();',
    `let i = ${b.globalIndex()};`,
    `if (i < ${x.length()}) {`,
    `  let bits = bitcast<u32>(${x.loadValue(i)});`,
    '  let magnitude = bits & 0x7fffffffu;',
    '  if (magnitude > 0x7f800000u) {',
    `    atomicAdd(&${local}[1], 1u);`,
    '  } else if (magnitude == 0x7f800000u) {',
    `    atomicAdd(&${local}[2], 1u);`,
    '  } else {',
    `    if (magnitude == 0u) { atomicAdd(&${local}[0], 1u); }`,
    '    let key = select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);',
    `    atomicMin(&${local}[3], key);`,
    `    atomicMax(&${local}[4], key);`,
    '  }',
    '}',
    'workgroupBarrier();',
    `if (${lidx} == 0u) {`,
    `  atomicAdd(&${counters}[${base} + 0u], atomicLoad(&${local}[0]));`,
    `  atomicAdd(&${counters}[${base} + 1u], atomicLoad(&${local}[1]));`,
    `  atomicAdd(&${counters}[${base} + 2u], atomicLoad(&${local}[2]));`,
    `  atomicMin(&${counters}[${base} + 3u], atomicLoad(&${local}[3]));`,
    `  atomicMax(&${counters}[${base} + 4u], atomicLoad(&${local}[4]));`,
    '}',
  ]);
  const shader = b.build();
  return {
    shader,
    tensorBindings: x.bindings,
    countersBinding: counters,
    uniforms: (elements, slot) => ({ ...x.uniformValues([elements]), slot_base: slot * STATS_SLOT_WORDS }),
    workgroups: (elements) => gridFor(elements, STATS_WORKGROUP, caps.maxComputeWorkgroupsPerDimension),
  };
}

/** The f32 an order-preserving key stands for (inverse of the kernel's mapping). */
export function keyToF32(key: number): number {
  const bits = (key & 0x80000000) !== 0 ? key & 0x7fffffff : ~key >>> 0;
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits >>> 0, true);
  return view.getFloat32(0, true);
}
