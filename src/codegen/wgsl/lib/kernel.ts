import type { FixedType, NumberType } from '../../../numeric/number-type.js';
import type { WgslCapabilities } from './capabilities.js';
import type { Expr } from './expr.js';
import type { BuiltShader, ShaderBuilder } from './shader-builder.js';

/**
 * The contract between an op's WGSL generator (the `wgsl` facet of its OpDef, in src/ops/<op>.ts)
 * and the program planner / executor (src/codegen/wgsl/program*.ts, src/runtime/webgpu/executor*.ts).
 *
 * The planner turns every node of a planned graph (after the pass pipeline: quantizers inserted,
 * fused nodes with epilogues and parameter quantizers) into a KernelRequest; the op returns one
 * or more KernelDispatch, which the executor binds to buffers and records in a command encoder.
 * One fused node is normally one dispatch (asserted by tests from the manifest).
 */

/** A tensor as a kernel sees it. `id` is the IR value id the executor binds. */
export interface KernelTensor {
  id: string;
  /** Storage type: f32, i32, or fixed (packed: 4 codes per u32 up to 8 bits, 2 up to 16). */
  type: NumberType;
  shape: readonly number[];
  /** Set by the planner when the tensor exceeds maxStorageBufferBindingSize (see TensorSpec). */
  chunking?: { chunks: number; chunkElements: number };
}

/**
 * One elementwise stage folded after a kernel's own result, before it is stored: an activation
 * (relu, tanh, sigmoid: from the epilogue op's `wgsl.elementwise`) or the output quantizer.
 * `emit` returns an f32 expression; a quantize stage returns the quantized value (code * 2^-F),
 * exact for W <= 24. The final store of a fixed-point output converts the last value to its code.
 */
export interface ElementwiseStage {
  /** Short, stable name for labels and cache keys (`relu`, `quantize fixed<4, 4>`). */
  name: string;
  emit(b: ShaderBuilder, x: Expr<'f32'>, flatIndex: Expr<'u32'>): Expr<'f32'>;
  /** Keys the stage draws from (a stochastic quantizer in training); the kernel lists them in its dispatch's `rng`. */
  rng?: KernelRng;
  /**
   * The number type whose grid the values `emit` returns lie on: a quantize stage's target, relu's
   * fixed input type (relu maps the grid to itself). Absent: f32 (any value). A kernel whose
   * output has this type stores the value's code as it is; otherwise it rounds to the output type.
   */
  outType?: NumberType;
  /**
   * For a stage with a fixed `outType`: the code of the value `emit` returns, computed directly.
   * The f32 value of a code is inexact past 24 bits, so the last stage of a wider output type
   * stores this instead.
   */
  emitCode?(b: ShaderBuilder, x: Expr<'f32'>, flatIndex: Expr<'u32'>): Expr<'i32'>;
  /**
   * Training (backward kernels): dL/d(stage input) from `dy` = dL/d(stage output), given the
   * stage's input `x` (recomputed from the node's saved pre-epilogue value by the stages before
   * it) and its output `y` (= `emit(x)` for the same element). The result is one f32 value per
   * element, as the op's CPU backward computes it; a stochastic quantizer's derivative (STE
   * `clipped`) redraws with the same keys (`rng`) and `flatIndex` as the forward. Absent: the
   * stage has no gradient.
   */
  derivative?(b: ShaderBuilder, x: Expr<'f32'>, y: Expr<'f32'>, dy: Expr<'f32'>, flatIndex: Expr<'u32'>): Expr<'f32'>;
}

/** Context for building an elementwise stage: whether it may draw, and its stream. */
export interface ElementwiseContext {
  training: boolean;
  /** Stream of the node the stage came from (src/ir/streams.ts numbering). */
  stream: number;
  /** Uniform prefix to use for its rng keys, unique within the fused kernel. */
  rngPrefix: string;
}

/** Random keys a kernel needs: one key pair per stream (uniform prefix -> stream id). */
export interface KernelRng {
  /** Uniform prefix given to rngKeyUniforms(b, prefix). */
  prefix: string;
  /** The stream id (src/ir/streams.ts): the executor keys it with (seed, step, stream). */
  stream: number;
}

export interface KernelRequest {
  capabilities: WgslCapabilities;
  /** Node id, for labels and diagnostics. */
  node: string;
  /** Data inputs in the op's declared order (variadic expanded). */
  inputs: KernelTensor[];
  /**
   * Parameters in the op's declared order, as they live on the device: in inference, typed
   * parameters are uploaded already quantized (packed codes); in training they are the f32
   * master copies and `paramQuantizers` says how to round them while loading.
   */
  params: KernelTensor[];
  /** Per parameter: round it to this type while loading (training), or undefined. */
  paramQuantizers: (FixedType | undefined)[];
  /** Per parameter quantizer that rounds stochastically: its stream (training only). */
  paramQuantizerStreams: (number | undefined)[];
  /** Output tensor: its `type` is the stored type after the whole epilogue. */
  output: KernelTensor;
  /** The op's attributes, defaulted and checked. */
  attrs: Readonly<Record<string, unknown>>;
  /** Stages applied to the op's result, in order, before the store. */
  epilogue: ElementwiseStage[];
  /** conv/dense: the i32-exact path or f32 accumulation in the contract's order (docs/numerics.md). */
  accumulate: 'exact' | 'f32';
  training: boolean;
  /** Stream of the node itself (stochastic output rounding, dropout masks). */
  stream: number;
  /** Tile sizes etc. chosen by `lpc tune` for this adapter and shape; absent: the op's default. */
  config?: Readonly<Record<string, number>>;
}

/** Which tensor a storage binding of a dispatch reads or writes. */
export interface KernelBinding {
  /** The binding's name in the shader (BuiltShader.bindings[].name). */
  name: string;
  /** KernelTensor id, or a scratch id declared in `scratch`. */
  tensor: string;
  /** For chunked tensors: which chunk this binding is. */
  chunk?: number;
}

export interface KernelDispatch {
  label: string;
  shader: BuiltShader;
  workgroups: [number, number, number];
  /** Values of the shader's uniforms, except the rng keys (filled by the executor from `rng`). */
  uniforms: Record<string, number>;
  bindings: KernelBinding[];
  /** Temporary buffers this dispatch (or a later one of the same node) uses. */
  scratch?: { id: string; bytes: number }[];
  rng?: KernelRng[];
}

/**
 * The backward of one (possibly fused) node in training (BackwardPlan step, src/passes/autodiff.ts).
 * Gradients are f32. When the node has an epilogue, `preEpilogue` is the anchor's own result saved
 * by the forward (`<node>.pre`); the kernel recomputes the stages from it and applies each stage's
 * `derivative` (in reverse) to `gradOutput` while loading it, so no separate dispatch is needed.
 */
export interface KernelBackwardRequest extends KernelRequest {
  /** dL/d(output of the whole fused node). */
  gradOutput: KernelTensor;
  preEpilogue?: KernelTensor;
  /** Where to write dL/d(data input i); undefined where no gradient flows (labels). */
  gradInputs: (KernelTensor | undefined)[];
  /** Where to write dL/d(param p), the gradient reaching the f32 master through the quantizer's STE. */
  gradParams: (KernelTensor | undefined)[];
  /** Per data input: add into the gradient buffer's contents (fan-out) instead of overwriting. */
  accumulateInputs: boolean[];
  /**
   * Per parameter quantizer: its straight-through mode (the quantize node's `ste` attribute, from
   * ParamQuantizer.attrs). `clipped` zeroes the master's gradient where the quantizer saturated
   * (or saw NaN). Absent, or undefined for a parameter: `identity`.
   */
  paramQuantizerSte?: ('identity' | 'clipped' | undefined)[];
  /**
   * Per parameter: add into the gradient's contents instead of overwriting (a parameter read by
   * several nodes, whose gradients meet). Absent: overwrite every parameter gradient.
   */
  accumulateParams?: boolean[];
}

/** The WGSL facet of an OpDef. */
export interface WgslOpFacet {
  /** Training: the backward kernel(s) of one node (absent for ops without gradients). */
  backward?(req: KernelBackwardRequest): KernelDispatch[];
  /** The forward kernel(s) of one (possibly fused) node. */
  forward(req: KernelRequest): KernelDispatch[];
  /**
   * For ops that can be fused as epilogues (OpDef.fusion === 'epilogue'): the elementwise form.
   * `inType` is the type of the value it reads.
   */
  elementwise?(attrs: Readonly<Record<string, unknown>>, inType: NumberType, ctx: ElementwiseContext): ElementwiseStage;
  /** Candidate configurations `lpc tune` measures for this request (first = the default). */
  configs?(req: KernelRequest): Readonly<Record<string, number>>[];
}
