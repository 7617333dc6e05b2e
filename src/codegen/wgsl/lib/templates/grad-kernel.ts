import { KernelParts } from './kernel-parts.js';
import { wgsl, type Expr } from '../expr.js';
import { helper } from '../helper.js';
import type { ElementwiseStage, KernelBackwardRequest, KernelDispatch, KernelTensor } from '../kernel.js';
import { gridFor } from '../shader-builder.js';
import type { TensorAccessor } from '../tensor-accessor.js';
import { elementCount } from './kernel-io.js';
import { workgroupReduce } from './workgroup-reduce.js';

/**
 * The kernel shape of the backward passes of every op but conv and dense: one invocation per
 * element of ONE gradient tensor (gather, not scatter: WGSL has no f32 atomics, so every gradient
 * element is summed by the invocation that owns it, in a fixed order). An op with several
 * gradients (add's inputs, scale's x, gamma and beta) returns one dispatch per gradient; that also
 * keeps two gradients that are the same tensor (add(x, x)) from being bound writable twice in one
 * dispatch, which WebGPU forbids.
 *
 * What every backward shares is done here:
 *  - the output gradient as the op sees it, `gradOut(j)`: dL/d(node output) at element j with the
 *    derivatives of the node's epilogue stages applied in reverse, the stages recomputed forward
 *    from the saved pre-epilogue value (`req.preEpilogue`), as the CPU executor runs a fused node's
 *    backward (src/runtime/cpu/backward.ts); a stochastic stage redraws with its forward keys;
 *  - the op's own result `ownOutput(j)` / `ownCode(j)` (the pre-epilogue value when the node is
 *    fused, else the output), which softmax differentiates through and max_pool finds its
 *    window's winner with;
 *  - the store: gradients are f32; with accumulation (a value read by several nodes, or a second
 *    position of the same gradient in one step) the kernel adds to what is there, one f32 add, as
 *    the CPU sums gradients that meet (`fround(existing + new)`).
 */
export const GRAD_WORKGROUP = 64;

/** The op's gradient of one element: statements, then the f32 value (before accumulation). */
export interface GradElement {
  lines?: readonly string[];
  value: Expr<'f32'>;
}

export class GradKernel extends KernelParts {
  private dyFn: string | undefined;
  private ownFn: string | undefined;
  private ownCodeFn: string | undefined;
  private ownAcc: TensorAccessor | undefined;

  constructor(
    readonly req: KernelBackwardRequest,
    readonly what: string,
    workgroupSize = GRAD_WORKGROUP,
  ) {
    super(req.capabilities, workgroupSize);
  }

  /** dL/d(the op's own result) at flat element j of the node's output (epilogue derivatives applied). */
  gradOut(j: Expr<'u32'>): Expr<'f32'> {
    this.dyFn ??= gradOutputFunction(this);
    return wgsl('f32', `${this.dyFn}(${j})`);
  }

  /** The op's own result at flat element j: the saved pre-epilogue value of a fused node, else its output. */
  ownOutput(j: Expr<'u32'>): Expr<'f32'> {
    this.ownFn ??= this.b.use(helper('lpc_own_out', `fn lpc_own_out(lpc_j: u32) -> f32 {\n  return ${this.own().loadValue(wgsl('u32', 'lpc_j'))};\n}`));
    return wgsl('f32', `${this.ownFn}(${j})`);
  }

  /** The code of the op's own result at j (a fixed-point or i32 own result: max_pool of codes). */
  ownCode(j: Expr<'u32'>): Expr<'i32'> {
    this.ownCodeFn ??= this.b.use(helper('lpc_own_code', `fn lpc_own_code(lpc_j: u32) -> i32 {\n  return ${this.own().loadCode(wgsl('u32', 'lpc_j'))};\n}`));
    return wgsl('i32', `${this.ownCodeFn}(${j})`);
  }

  private own(): TensorAccessor {
    if (!this.ownAcc) {
      const fused = this.req.epilogue.length > 0;
      const t = fused ? this.req.preEpilogue : this.req.output;
      if (!t) throw new Error(`node '${this.req.node}' fuses an epilogue but its backward request has no saved pre-epilogue value`);
      this.ownAcc = this.input(fused ? 'pre' : 'y', t);
    }
    return this.ownAcc;
  }

  /**
   * Builds the kernel: one invocation per element of the gradient `target` (f32), which it
   * overwrites, or adds to with `accumulate`.
   */
  finish(target: KernelTensor, accumulate: boolean, element: (i: Expr<'u32'>) => GradElement): KernelDispatch {
    const { b } = this;
    const out = this.target(target);
    const own = element(wgsl('u32', 'lpc_i'));
    const fn = b.use(
      helper('lpc_grad_elem', [`fn lpc_grad_elem(lpc_i: u32) -> f32 {`, ...(own.lines ?? []).map((l) => `  ${l}`), `  return ${own.value};`, '}'].join('\n')),
    );
    const i = wgsl('u32', 'lpc_i');
    const body = [`let lpc_i = ${b.globalIndex()};`, `if (lpc_i >= ${out.length()}) { return; }`, `let lpc_g = ${fn}(lpc_i);`, storeGradient(out, i, accumulate)];
    const n = elementCount(target.shape);
    return this.dispatch(body, gridFor(n, b.workgroupSize[0], this.req.capabilities.maxComputeWorkgroupsPerDimension));
  }

  /**
   * Builds a reduction kernel: one workgroup per element i of the gradient `target`, whose
   * invocations sum `term(i, r)` for r = 0 .. length-1 (each a strided share, then the partials
   * folded in a fixed order: workgroup-reduce.ts), e.g. a parameter gradient summed over the batch
   * and positions. The workgroup size must be a power of two.
   */
  finishReduction(target: KernelTensor, accumulate: boolean, length: number, term: (i: Expr<'u32'>, r: Expr<'u32'>) => GradElement): KernelDispatch {
    const { b } = this;
    const out = this.target(target);
    const size = b.workgroupSize[0];
    const len = this.uniform('red_len', 'u32', length);
    const t = term(wgsl('u32', 'lpc_i'), wgsl('u32', 'lpc_r'));
    const fn = b.use(
      helper('lpc_grad_term', [`fn lpc_grad_term(lpc_i: u32, lpc_r: u32) -> f32 {`, ...(t.lines ?? []).map((l) => `  ${l}`), `  return ${t.value};`, '}'].join('\n')),
    );
    const body = [
      // one workgroup per element; the grid may spill into y past the per-dimension limit
      'let lpc_i = wid.x + wid.y * nwg.x;',
      `let lpc_live = lpc_i < ${out.length()};`,
      'var lpc_part = 0.0;',
      `if (lpc_live) { for (var lpc_r = lidx; lpc_r < ${len}; lpc_r += ${size}u) { lpc_part = lpc_part + ${fn}(lpc_i, lpc_r); } }`,
      ...workgroupReduce(b, 'lpc_red', 'f32', 'sum', 'lpc_part', 'lpc_g'),
      `if (lpc_live && lidx == 0u) { ${storeGradient(out, wgsl('u32', 'lpc_i'), accumulate)} }`,
    ];
    const n = elementCount(target.shape);
    const max = this.req.capabilities.maxComputeWorkgroupsPerDimension;
    const gy = Math.ceil(n / max);
    return this.dispatch(body, [Math.ceil(n / gy), gy, 1]);
  }

  /** A kernel with a body of its own (statistics into scratch), with this kernel's bindings, uniforms and keys. */
  finishWith(body: readonly string[], workgroups: [number, number, number], what = this.what): KernelDispatch {
    return this.dispatch(body, workgroups, what);
  }

  /**
   * The gradient `t` as a writable tensor, for kernels with a body of their own (finishWith) whose
   * invocations each own a disjoint set of its elements.
   */
  target(t: KernelTensor): TensorAccessor {
    if (t.type.kind !== 'f32') throw new Error(`gradient '${t.id}' of '${this.req.node}' must be f32, got ${t.type.kind}`);
    return this.input('dst', t, 'read_write');
  }

  /** Statement for finishWith bodies: writes `value` to element i of `out`, or adds it with `accumulate`. */
  static store(out: TensorAccessor, i: Expr<'u32'>, value: Expr<'f32'>, accumulate: boolean): string {
    return out.storeValue(i, accumulate ? wgsl('f32', `${out.loadValue(i)} + ${value}`) : value);
  }

  private dispatch(body: readonly string[], workgroups: [number, number, number], what = this.what): KernelDispatch {
    return this.dispatchOf(`${this.req.node} (${what} backward)`, this.b.main(body).build(), workgroups);
  }
}

/**
 * `fn lpc_grad_out(j) -> f32`: the node's output gradient at j, pulled back through its epilogue. The
 * stages are recomputed from the pre-epilogue value (x_0 = pre, x_{k+1} = stage_k(x_k)), then
 * each stage's derivative is applied from the last to the first.
 */
function gradOutputFunction(k: GradKernel): string {
  const req = k.req;
  const dy = k.input('dy', req.gradOutput);
  const j = wgsl('u32', 'lpc_j');
  const lines = ['fn lpc_grad_out(lpc_j: u32) -> f32 {', `  var lpc_g = ${dy.loadValue(j)};`];
  const stages = req.epilogue;
  if (stages.length > 0) {
    if (!req.preEpilogue) throw new Error(`node '${req.node}' fuses an epilogue but its backward request has no saved pre-epilogue value`);
    const pre = k.input('pre_ep', req.preEpilogue);
    lines.push(`  let lpc_x0 = ${pre.loadValue(j)};`);
    stages.forEach((s, n) => {
      k.collect(s.rng);
      lines.push(`  let lpc_x${n + 1} = ${s.emit(k.b, wgsl('f32', `lpc_x${n}`), j)};`);
    });
    for (let n = stages.length - 1; n >= 0; n--) {
      const d = derivativeOf(stages[n], req.node);
      lines.push(`  lpc_g = ${d(k.b, wgsl('f32', `lpc_x${n}`), wgsl('f32', `lpc_x${n + 1}`), wgsl('f32', 'lpc_g'), j)};`);
    }
  }
  lines.push('  return lpc_g;', '}');
  return k.b.use(helper('lpc_grad_out', lines.join('\n')));
}

/** Statement: writes gradient value `lpc_g` to element i, or adds it to what is there. */
function storeGradient(out: TensorAccessor, i: Expr<'u32'>, accumulate: boolean): string {
  return out.storeValue(i, wgsl('f32', accumulate ? `${out.loadValue(i)} + lpc_g` : 'lpc_g'));
}

function derivativeOf(s: ElementwiseStage, node: string): NonNullable<ElementwiseStage['derivative']> {
  if (!s.derivative) throw new Error(`the epilogue stage '${s.name}' of '${node}' has no derivative, so the node cannot be trained on WebGPU`);
  return s.derivative.bind(s);
}

/**
 * The backward of a one-input elementwise op from its elementwise stage (relu, tanh, sigmoid,
 * quantize run standalone): dx[i] = stage.derivative(x[i], stage(x[i]), dy[i]), dy with the node's
 * own epilogue pulled back first. The stage must be built with the forward's stream and rng prefix,
 * so a stochastic quantizer's clipped STE sees the forward's draws.
 */
export function mapBackward(req: KernelBackwardRequest, what: string, stage: ElementwiseStage): KernelDispatch[] {
  const target = req.gradInputs[0];
  if (!target) return [];
  const k = new GradKernel(req, what);
  const x = k.input('x', req.inputs[0]);
  k.collect(stage.rng);
  const d = derivativeOf(stage, req.node);
  return [
    k.finish(target, req.accumulateInputs[0] ?? false, (i) => ({
      lines: [`let lpc_x = ${x.loadValue(i)};`, `let lpc_y = ${stage.emit(k.b, wgsl('f32', 'lpc_x'), i)};`],
      value: d(k.b, wgsl('f32', 'lpc_x'), wgsl('f32', 'lpc_y'), k.gradOut(i), i),
    })),
  ];
}

/**
 * The backward of ops that only move elements (flatten, reshape): dx[i] = dy[i].
 */
export function copyBackward(req: KernelBackwardRequest, what: string): KernelDispatch[] {
  const target = req.gradInputs[0];
  if (!target) return [];
  const k = new GradKernel(req, what);
  return [k.finish(target, req.accumulateInputs[0] ?? false, (i) => ({ value: k.gradOut(i) }))];
}
