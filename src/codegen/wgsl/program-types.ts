import type { Graph } from '../../ir/graph.js';
import type { NumberType } from '../../numeric/number-type.js';
import type { WgslCapabilities } from './lib/capabilities.js';
import type { KernelBinding, KernelRng, KernelRequest } from './lib/kernel.js';
import type { BuiltShader } from './lib/shader-builder.js';

/**
 * A net compiled for the WebGPU backend: every tensor the device holds (with its storage type,
 * bytes as stored and chunking), the activation buffers shared as the memory plan says, and for
 * every node of the planned graph the dispatches its op's kernel returned, in execution order.
 * The executor (src/runtime/webgpu/executor.ts) allocates, uploads and records exactly this; the
 * manifest (program-manifest.ts) is this as JSON, and the shaders are the `.wgsl` files.
 */

/**
 * Where a tensor lives:
 *  - `input`, `output`: a graph input or a named output/loss value, each in its own buffer so the
 *    host can write and read them whatever the plan reuses;
 *  - `param`: a parameter as stored on the device (inference: packed at its quantized width;
 *    training: the f32 master), in its own buffer;
 *  - `activation`: any other value a node writes (including derived parameter copies), in a
 *    shared buffer of the memory plan (`pool`);
 *  - `scratch`: temporary storage a kernel asked for, shared by position across nodes.
 */
export type ProgramTensorRole = 'input' | 'output' | 'param' | 'activation' | 'scratch';

export interface ProgramTensor {
  id: string;
  role: ProgramTensorRole;
  /** Storage type: f32, i32, or fixed (packed 4 per word up to 8 bits, 2 up to 16). */
  type: NumberType;
  shape: number[];
  elements: number;
  /** Bytes as stored (whole 32-bit words). */
  bytes: number;
  /** Split over several bindings when larger than maxStorageBufferBindingSize. */
  chunking?: { chunks: number; chunkElements: number };
  /** Activations: the memory plan's buffer index (ProgramBuffer.index). */
  pool?: number;
  /** Stored parameters: where the values come from and how they are rounded on upload. */
  stored?: StoredParam;
  /** Scratch: which scratch slot (position in a node's scratch list) it occupies. */
  scratchSlot?: number;
}

/** A parameter as uploaded: the master `param`, rounded to `type` on the host (inference) or kept f32. */
export interface StoredParam {
  param: string;
  /** The type it is stored in; for fixed types the host quantizes the master with the quantizer's rule. */
  type: NumberType;
}

/** A buffer shared by activations (a buffer of the memory plan) or by scratch slots. */
export interface ProgramBuffer {
  index: number;
  kind: 'activation' | 'scratch';
  /** The largest tensor it holds, in bytes as stored (chunk alignment is the executor's). */
  bytes: number;
  tensors: string[];
}

export interface ProgramDispatch {
  /** Node id the dispatch belongs to. */
  node: string;
  label: string;
  /** BuiltShader.key of the shader (WgslProgram.shaders). */
  shader: string;
  workgroups: [number, number, number];
  /** Uniform values except rng keys (filled per run from `rng`). */
  uniforms: Record<string, number>;
  /** Storage bindings: shader binding name -> program tensor (and chunk). */
  bindings: KernelBinding[];
  rng: KernelRng[];
  /** Whether the shader binds the quantizer statistics buffer (`lpc_qstats`). */
  quantStats: boolean;
}

export interface ProgramNode {
  id: string;
  op: string;
  /** Position in the planned graph: its stream id. */
  index: number;
  /** What the node runs: the op, then each epilogue op (`conv+relu+quantize`). */
  fused: string[];
  inputs: string[];
  params: string[];
  output: string;
  /** Indices into WgslProgram.dispatches. */
  dispatches: number[];
  /**
   * The request the kernel was generated from (kept for tools and tests; not serialised whole).
   * Absent in a program read back from its manifest (a compiled bundle, src/runtime/bundle/),
   * which has the dispatches but not the generator's inputs.
   */
  request?: KernelRequest;
}

export interface WgslProgram {
  net: string;
  mode: 'inference' | 'training';
  netParams: Graph['netParams'];
  /** The planned graph the program was built from (the CPU reference runs the same one). */
  graph: Graph;
  capabilities: WgslCapabilities;
  tensors: Map<string, ProgramTensor>;
  buffers: ProgramBuffer[];
  nodes: ProgramNode[];
  dispatches: ProgramDispatch[];
  /** Unique shaders by key, in first-use order. */
  shaders: Map<string, BuiltShader>;
  inputs: string[];
  outputs: { name: string; value: string }[];
  losses: { name: string; value: string }[];
}
