import type { WgslCapabilities } from '../../../../codegen/wgsl/lib/capabilities.js';
import { f32Lit, wgsl, type Expr } from '../../../../codegen/wgsl/lib/expr.js';
import type { KernelBinding, KernelDispatch, KernelRng, KernelTensor } from '../../../../codegen/wgsl/lib/kernel.js';
import { flatAccessor, tensorBindingsOf } from '../../../../codegen/wgsl/lib/templates/kernel-io.js';
import { quantizeValue } from '../../../../codegen/wgsl/lib/quantizer.js';
import { rngKeyUniforms, rngUniform } from '../../../../codegen/wgsl/lib/rng.js';
import { gridFor, ShaderBuilder } from '../../../../codegen/wgsl/lib/shader-builder.js';
import type { FixedType } from '../../../../numeric/number-type.js';
import type { SolverKind } from '../../../train/solver-spec.js';
import { atomicControl, CONTROL_OK, CONTROL_PARAMS, CONTROL_SCALE, FINITE, FLAG_UPDATE, readControl } from './control.js';

/**
 * The solver update of one trained parameter in WGSL, Caffe's rules exactly as cpu-solver.ts does
 * them (docs/training.md, "The update, exactly"): every arithmetic operation one f32 operation in
 * the same order, so a kernel agrees with the reference bit for bit unless the shader compiler
 * contracts a multiply and an add into an fma (then by about an ulp per operation).
 *
 *   g  = g * scale                              the clipping factor (1.0 when not clipping: exact)
 *   g  = local_decay * w + g                    only when local_decay != 0 (a constant per kernel)
 *   sgd       h = local_rate * g + momentum * h;  w = w - h
 *   nesterov  h' = local_rate * g + momentum * h;  u = (1 + momentum) * h' - momentum * h;  w = w - u
 *   adam      m = (1 - b1) * g + b1 * m;  v = (1 - b2) * (g * g) + b2 * v;
 *             u = step_size * (m / (sqrt(v) + eps));  w = w - u   (step_size = local_rate * correction, host)
 *   adagrad   h = h + g * g;  u = local_rate * (g / (sqrt(h) + eps));  w = w - u
 *   rmsprop   h = (1 - d) * (g * g) + d * h;  u = local_rate * (g / (sqrt(h) + eps));  w = w - u
 *
 * Two passes use the same kernel text but for their ends:
 *   check  computes w' and sets FLAG_UPDATE in the control block where it is not finite; writes nothing;
 *   apply  returns at once unless the control block says OK, else writes the state and w' (with
 *          stored low-precision weights: Q_T(w'), a stochastic T drawing with the parameter's
 *          stream keyed by (seed, step), element i at its flat index: roundUpdate's bits).
 * So a step whose loss, gradients or updates went non-finite changes nothing, decided on the GPU.
 * The per-step rate (lr * lr_mult, times Adam's correction) comes from the `rates` buffer the host
 * writes each step; everything else is a uniform written once.
 */
export interface SolverSettings {
  kind: SolverKind;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
  rmsDecay: number;
}

export interface SolverTensorIds {
  /** Tensors as kernels see them (chunked when larger than one binding). */
  param: KernelTensor;
  grad: KernelTensor;
  /** The state tensors in SOLVER_STATE_SLOTS order. */
  state: KernelTensor[];
  /** f32 per trained parameter: this step's local rate (Adam: the step size). */
  rates: string;
  control: string;
}

export interface SolverDispatchSpec {
  capabilities: WgslCapabilities;
  settings: SolverSettings;
  mode: 'check' | 'apply';
  /** Position of the parameter among the trained ones (its rate and its control flags). */
  slot: number;
  count: number;
  /** weight_decay * decay_mult, rounded to f32; 0 skips the decay term. */
  localDecay: number;
  /** Stored low-precision weights: the type each update is rounded into, and its stream. */
  stored?: { type: FixedType; stream: number };
  ids: SolverTensorIds;
  label: string;
}

const WORKGROUP = 64;
const PER_INVOCATION = 8;

/**
 * The dispatches of one parameter's pass. A parameter larger than one storage binding (chunked:
 * VGG16's fc6) is updated one chunk at a time: its gradient and state have the same f32 layout, so
 * chunk c of each is bound together (four chunked tensors would exceed the adapter's storage
 * bindings per shader), and the element's flat index, which keys a stochastic rounding's draw, is
 * the chunk's first element plus the local one.
 */
export function solverDispatches(s: SolverDispatchSpec): KernelDispatch[] {
  const chunking = s.ids.param.chunking;
  if (!chunking) return [solverDispatch(s)];
  return Array.from({ length: chunking.chunks }, (_, c) => {
    const first = c * chunking.chunkElements;
    return solverDispatch(s, { index: c, first, count: Math.min(chunking.chunkElements, s.count - first) });
  });
}

export function solverDispatch(s: SolverDispatchSpec, chunk?: { index: number; first: number; count: number }): KernelDispatch {
  const b = new ShaderBuilder({ capabilities: s.capabilities, workgroupSize: WORKGROUP });
  const apply = s.mode === 'apply';
  // a chunk is bound as a tensor of its own
  const view = (t: KernelTensor): KernelTensor => (chunk ? { id: t.id, type: t.type, shape: [chunk.count] } : t);
  const w = flatAccessor(b, 'w', view(s.ids.param), apply ? 'read_write' : 'read');
  const g = flatAccessor(b, 'g', view(s.ids.grad), 'read');
  const state = s.ids.state.map((t, k) => flatAccessor(b, `s${k}`, view(t), apply ? 'read_write' : 'read'));
  const bindOf = (acc: typeof w, t: KernelTensor): KernelBinding[] => (chunk ? [{ name: acc.bindings[0], tensor: t.id, chunk: chunk.index }] : tensorBindingsOf(acc, t));
  const rates = b.storageBuffer('rates', 'f32', 'read');
  const control = apply ? readControl(b) : atomicControl(b);
  const n = b.uniform('count', 'u32');
  const slot = b.uniform('slot', 'u32');
  b.use(FINITE);
  const f = (x: number): Expr<'f32'> => f32Lit(Math.fround(x));
  const st = s.settings;
  const rate = `${rates}[${slot}]`;
  const scaleBits = apply ? `${control}[${CONTROL_SCALE}]` : `atomicLoad(&${control}[${CONTROL_SCALE}])`;
  const i = wgsl('u32', 'lpc_i');
  const st0 = () => state[0].loadValue(i);
  // state writes, materialised only in the apply pass (the check pass binds the state read-only)
  const store = (k: number, v: string) => () => state[k].storeValue(i, wgsl('f32', v));
  const lines: string[] = [];
  if (apply) lines.push(`if (${control}[${CONTROL_OK}] != 1u) { return; }`);
  // each invocation updates PER_INVOCATION elements, a grid's width apart (adjacent invocations
  // read adjacent elements): lavapipe pays per workgroup, so fewer, fuller ones run faster
  lines.push(
    `let lpc_threads = nwg.x * nwg.y * ${WORKGROUP}u;`,
    `for (var lpc_i = ${b.globalIndex()}; lpc_i < ${n}; lpc_i += lpc_threads) {`,
    `let lpc_w = ${w.loadValue(i)};`,
    `var lpc_g = ${g.loadValue(i)} * bitcast<f32>(${scaleBits});`,
  );
  if (s.localDecay !== 0) lines.push(`lpc_g = ${f(s.localDecay)} * lpc_w + lpc_g;`);
  const writes: (() => string)[] = [];
  let next: string;
  switch (st.kind) {
    case 'sgd':
      lines.push(`let lpc_h = ${rate} * lpc_g + ${f(st.momentum)} * ${st0()};`);
      writes.push(store(0, 'lpc_h'));
      next = 'lpc_w - lpc_h';
      break;
    case 'nesterov':
      lines.push(
        `let lpc_before = ${st0()};`,
        `let lpc_h = ${rate} * lpc_g + ${f(st.momentum)} * lpc_before;`,
        `let lpc_upd = ${f(1 + st.momentum)} * lpc_h - ${f(st.momentum)} * lpc_before;`,
      );
      writes.push(store(0, 'lpc_h'));
      next = 'lpc_w - lpc_upd';
      break;
    case 'adam':
      lines.push(
        `let lpc_m = ${f(1 - st.beta1)} * lpc_g + ${f(st.beta1)} * ${st0()};`,
        `let lpc_v = ${f(1 - st.beta2)} * (lpc_g * lpc_g) + ${f(st.beta2)} * ${state[1].loadValue(i)};`,
        `let lpc_upd = ${rate} * (lpc_m / (sqrt(lpc_v) + ${f(st.eps)}));`,
      );
      writes.push(store(0, 'lpc_m'), store(1, 'lpc_v'));
      next = 'lpc_w - lpc_upd';
      break;
    case 'adagrad':
      lines.push(`let lpc_h = ${st0()} + lpc_g * lpc_g;`, `let lpc_upd = ${rate} * (lpc_g / (sqrt(lpc_h) + ${f(st.eps)}));`);
      writes.push(store(0, 'lpc_h'));
      next = 'lpc_w - lpc_upd';
      break;
    case 'rmsprop':
      lines.push(
        `let lpc_h = ${f(1 - st.rmsDecay)} * (lpc_g * lpc_g) + ${f(st.rmsDecay)} * ${st0()};`,
        `let lpc_upd = ${rate} * (lpc_g / (sqrt(lpc_h) + ${f(st.eps)}));`,
      );
      writes.push(store(0, 'lpc_h'));
      next = 'lpc_w - lpc_upd';
      break;
  }
  lines.push(`let lpc_next = ${next};`);
  const rng: KernelRng[] = [];
  if (!apply) {
    lines.push(`if (!lpc_finite(lpc_next)) { atomicOr(&${control}[${CONTROL_PARAMS}u + ${slot}], ${FLAG_UPDATE}u); }`);
  } else {
    lines.push(...writes.map((write) => write()));
    lines.push(w.storeValue(i, storedValue(b, s, wgsl('f32', 'lpc_next'), rng)));
  }
  lines.push('}');
  const shader = b.main(lines).build();
  const bindings: KernelBinding[] = [
    ...bindOf(w, s.ids.param),
    ...bindOf(g, s.ids.grad),
    ...state.flatMap((acc, k) => bindOf(acc, s.ids.state[k])),
    { name: rates, tensor: s.ids.rates },
    { name: control, tensor: s.ids.control },
  ];
  return {
    label: s.label,
    shader,
    workgroups: gridFor(Math.ceil((chunk?.count ?? s.count) / PER_INVOCATION), WORKGROUP, s.capabilities.maxComputeWorkgroupsPerDimension),
    uniforms: { count: chunk?.count ?? s.count, slot: s.slot, ...(apply && s.stored?.type.round === 'stochastic' ? { first: chunk?.first ?? 0 } : {}) },
    bindings,
    ...(rng.length > 0 ? { rng } : {}),
  };
}

/** w' as stored: itself, or rounded into the stored type (stochastic: the parameter's stream). */
function storedValue(b: ShaderBuilder, s: SolverDispatchSpec, next: Expr<'f32'>, rng: KernelRng[]): Expr<'f32'> {
  if (!s.stored) return next;
  const t = s.stored.type;
  if (t.round !== 'stochastic') return quantizeValue(b, t, next);
  rng.push({ prefix: 'store', stream: s.stored.stream });
  const first = b.uniform('first', 'u32');
  return quantizeValue(b, t, next, rngUniform(b, rngKeyUniforms(b, 'store'), wgsl('u32', `${first} + lpc_i`)));
}
