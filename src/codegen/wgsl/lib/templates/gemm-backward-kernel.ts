import { KernelParts } from './kernel-parts.js';
import { F32 } from '../../../../numeric/number-type.js';
import { wgsl, type Expr } from '../expr.js';
import { helper } from '../helper.js';
import type { KernelBackwardRequest, KernelDispatch, KernelRequest, KernelRng, KernelTensor } from '../kernel.js';
import { quantize } from '../quantizer.js';
import { rngKeyUniforms, rngUniform } from '../rng.js';
import { gridFor, ShaderBuilder, type StorageAccess } from '../shader-builder.js';
import type { TensorAccessor } from '../tensor-accessor.js';
import { ElementKernel } from './element-kernel.js';
import { elementCount, paramValue, scratchId } from './kernel-io.js';

/**
 * Pieces shared by the backward kernels of conv and dense (gemm-backward*.ts):
 *
 * - GemmKernel: one compute shader under construction (KernelParts records the bindings, uniform
 *   values, rng keys and scratch buffers its dispatch lists).
 * - The effective output gradient: dL/d(op result) = the fused epilogue's derivatives applied in
 *   reverse to gradOutput, the stages recomputed forward from the saved pre-epilogue value.
 * - The effective weights: Q(W), the weights the forward used (SEMANTICS.md section 3), when the
 *   request rounds the f32 master while loading.
 * - The straight-through gradient to a quantized master (`ste: clipped` zeroes it where Q saturated).
 *
 * Each GEMM reads an output-gradient element many times (dX: once per weight tap and input channel
 * block; dW: once per column block), and a weight element many times in dX. Recomputing an epilogue
 * chain or a quantizer at every such load costs more than the multiply-add it feeds, so when there
 * is an epilogue (or a weight quantizer) a first elementwise dispatch writes the effective values to
 * an f32 scratch buffer that the GEMMs read. When that scratch would exceed
 * maxStorageBufferBindingSize (or the config asks for it: `bw_inline_epilogue`,
 * `bw_inline_weights`), the GEMMs apply the chain or the quantizer inline at each load instead: the
 * same arithmetic, so the same values.
 */
export const GEMM_BACKWARD_WORKGROUP = 64;

export class GemmKernel extends KernelParts {
  constructor(readonly req: KernelRequest) {
    super(req.capabilities, GEMM_BACKWARD_WORKGROUP);
  }

  /** An f32 scratch buffer viewed as a tensor (id from scratchTensor). */
  scratchTensor(name: string, t: KernelTensor, access: StorageAccess = 'read'): TensorAccessor {
    this.declareScratch(t.id, 4 * elementCount(t.shape));
    return this.input(name, t, access);
  }

  /** Builds the shader around `body` (which reads the invocation's flat index as `lpc_id`). */
  dispatch(label: string, invocations: number, body: readonly string[]): KernelDispatch {
    const { b, req } = this;
    const count = this.u32('bw_invocations', invocations);
    const shader = b.main([`let lpc_id = ${b.globalIndex()};`, `if (lpc_id >= ${count}) { return; }`, ...body]).build();
    return this.dispatchOf(`${req.node} (${label})`, shader, gridFor(invocations, b.workgroupSize[0], req.capabilities.maxComputeWorkgroupsPerDimension));
  }
}

/** An f32 scratch tensor of the node (ids from kernel-io's scratchId, unique to the node). */
export function scratchTensor(req: KernelRequest, purpose: string, elements: number): KernelTensor {
  return { id: scratchId(req, purpose), type: F32, shape: [elements] };
}

function fitsOneBinding(req: KernelRequest, elements: number): boolean {
  return elements * 4 <= req.capabilities.maxStorageBufferBindingSize;
}

/** How a GEMM reads an f32 operand: as stored, computed inline at each load, or from a prepared scratch. */
export type OperandPlan = { kind: 'direct' } | { kind: 'inline' } | { kind: 'scratch'; tensor: KernelTensor; prep: KernelDispatch };

// ---------------------------------------------------------------------------------------------
// The effective output gradient

/**
 * Statements computing dL/d(op result) for element `i` from the saved pre-epilogue value and
 * gradOutput: the stages run forward (x_0 = pre, x_k+1 = emit_k(x_k)), then their derivatives in
 * reverse (g_n = dy, g_k = derivative_k(x_k, x_k+1, g_k+1)), as the CPU executor runs the
 * epilogues' backward (src/runtime/cpu/backward.ts). Names are local to one function body.
 */
function epilogueGradient(
  b: ShaderBuilder,
  req: KernelBackwardRequest,
  pre: TensorAccessor,
  dy: TensorAccessor,
  i: Expr<'u32'>,
  collect: (r: KernelRng | undefined) => void,
): { lines: string[]; value: Expr<'f32'> } {
  const stages = req.epilogue;
  const lines = [`let lpc_x0 = ${pre.loadValue(i)};`];
  const x = (k: number) => wgsl('f32', `lpc_x${k}`);
  stages.forEach((s, k) => {
    collect(s.rng);
    lines.push(`let lpc_x${k + 1} = ${s.emit(b, x(k), i)};`);
  });
  lines.push(`let lpc_g${stages.length} = ${dy.loadValue(i)};`);
  for (let k = stages.length - 1; k >= 0; k--) {
    const s = stages[k];
    if (!s.derivative) throw new Error(`node '${req.node}': the fused epilogue stage '${s.name}' has no WGSL derivative`);
    lines.push(`let lpc_g${k} = ${s.derivative(b, x(k), x(k + 1), wgsl('f32', `lpc_g${k + 1}`), i)};`);
  }
  return { lines, value: wgsl('f32', 'lpc_g0') };
}

function needPre(req: KernelBackwardRequest): KernelTensor {
  if (!req.preEpilogue) throw new Error(`node '${req.node}' has a fused epilogue but the backward request has no preEpilogue tensor`);
  return req.preEpilogue;
}

/** Decides how the GEMMs read the effective output gradient; builds the prep dispatch when it pays. */
export function planOutputGradient(req: KernelBackwardRequest): OperandPlan {
  if (req.epilogue.length === 0) return { kind: 'direct' };
  const n = elementCount(req.gradOutput.shape);
  if (req.config?.bw_inline_epilogue === 1 || !fitsOneBinding(req, n)) return { kind: 'inline' };
  const tensor = scratchTensor(req, 'grad-out', n);
  const k = new ElementKernel({ ...req, epilogue: [], output: tensor }, 'backward: epilogue derivative');
  const pre = k.input('pre', needPre(req));
  const dy = k.input('dy', req.gradOutput);
  const collect = (r: KernelRng | undefined) => {
    if (r && !k.rng.some((x) => x.prefix === r.prefix)) k.rng.push(r);
  };
  const prep = k.finish((i) => epilogueGradient(k.b, req, pre, dy, i, collect));
  return { kind: 'scratch', tensor, prep: { ...prep, scratch: [{ id: tensor.id, bytes: 4 * n }] } };
}

/** Declares what reading the effective output gradient needs in `k`; returns the loader. */
export function outputGradientLoader(k: GemmKernel, req: KernelBackwardRequest, plan: OperandPlan): (i: Expr<'u32'>) => Expr<'f32'> {
  if (plan.kind === 'scratch') {
    const g = k.scratchTensor('grad_eff', plan.tensor);
    return (i) => g.loadValue(i);
  }
  const dy = k.input('dy', req.gradOutput);
  if (plan.kind === 'direct') return (i) => dy.loadValue(i);
  const pre = k.input('pre', needPre(req));
  const chain = epilogueGradient(k.b, req, pre, dy, wgsl('u32', 'lpc_i'), (r) => k.collect(r));
  const fn = k.b.use(
    helper('lpc_grad_out', ['fn lpc_grad_out(lpc_i: u32) -> f32 {', ...chain.lines.map((l) => `  ${l}`), `  return ${chain.value};`, '}'].join('\n')),
  );
  return (i) => wgsl('f32', `${fn}(${i})`);
}

// ---------------------------------------------------------------------------------------------
// The effective weights

/** Decides how dX reads the weights (parameter 0): as stored, or Q(master) inline or prepared. */
export function planWeights(req: KernelBackwardRequest): OperandPlan {
  if (!req.paramQuantizers[0]) return { kind: 'direct' };
  const n = elementCount(req.params[0].shape);
  if (req.config?.bw_inline_weights === 1 || !fitsOneBinding(req, n)) return { kind: 'inline' };
  const tensor = scratchTensor(req, 'weights-q', n);
  const k = new ElementKernel({ ...req, epilogue: [], output: tensor }, 'backward: quantized weights');
  const w = k.input('w', req.params[0]);
  const prep = k.finish((i) => ({ value: paramValue(k.b, req, 0, w, i, k.rng) }));
  return { kind: 'scratch', tensor, prep: { ...prep, scratch: [{ id: tensor.id, bytes: 4 * n }] } };
}

export function weightLoader(k: GemmKernel, req: KernelBackwardRequest, plan: OperandPlan): (i: Expr<'u32'>) => Expr<'f32'> {
  if (plan.kind === 'scratch') {
    const w = k.scratchTensor('w_eff', plan.tensor);
    return (i) => w.loadValue(i);
  }
  const w = k.input('w', req.params[0]);
  if (plan.kind === 'direct') return (i) => w.loadValue(i);
  const value = paramValue(k.b, req, 0, w, wgsl('u32', 'lpc_i'), k.rng);
  const fn = k.b.use(helper('lpc_weight_q', `fn lpc_weight_q(lpc_i: u32) -> f32 {\n  return ${value};\n}`));
  return (i) => wgsl('f32', `${fn}(${i})`);
}

// ---------------------------------------------------------------------------------------------
// The straight-through gradient to a quantized master

/**
 * For parameter p with a `clipped` quantizer: a function giving, for a master element index, the
 * condition under which its gradient passes (the quantizer, rerun on the master with the forward's
 * draw, neither saturated nor saw NaN), as the quantize op's CPU backward decides. Undefined when
 * the gradient passes unchanged (no quantizer, or `identity`).
 */
export function steCondition(k: GemmKernel, req: KernelBackwardRequest, p: number, name: string): ((i: Expr<'u32'>) => Expr<'bool'>) | undefined {
  const t = req.paramQuantizers[p];
  if (!t || req.paramQuantizerSte?.[p] !== 'clipped') return undefined;
  const master = k.input(name, req.params[p]);
  const stream = req.paramQuantizerStreams[p];
  const stochastic = req.training && t.round === 'stochastic' && stream !== undefined;
  const prefix = `param${p}_q`;
  if (stochastic) k.collect({ prefix, stream });
  return (i) => {
    const u = stochastic ? rngUniform(k.b, rngKeyUniforms(k.b, prefix), i) : undefined;
    return wgsl('bool', `(${quantize(k.b, t, master.loadValue(i), u)}.status == 0u)`);
  };
}
