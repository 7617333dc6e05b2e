import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { TrainConfig } from '../../ir/graph.js';
import { TRAIN_CODES } from './codes.js';
import type { LrPolicy } from './lr-policy.js';

/**
 * Solver settings with Caffe's semantics (docs/training.md gives the exact update order). Every
 * setting is stored rounded to f32, as Caffe's SolverParameter holds them, so the CPU solver and
 * a GPU solver start from the same numbers.
 *
 * Per optimizer, the state kept per trained parameter (same shape as the parameter, f32):
 *   sgd, nesterov   history   the momentum buffer (Caffe's history_)
 *   adam            m, v      first and second moment estimates
 *   adagrad         history   the sum of squared gradients
 *   rmsprop         history   the running mean of squared gradients
 */
export type SolverKind = 'sgd' | 'nesterov' | 'adam' | 'adagrad' | 'rmsprop';

export const SOLVER_KINDS: readonly SolverKind[] = ['sgd', 'nesterov', 'adam', 'adagrad', 'rmsprop'];

export interface SolverSpec {
  kind: SolverKind;
  /** base_lr; the rate of a step comes from the lr policy (lr-policy.ts). */
  lr: number;
  /** sgd, nesterov: Caffe's momentum. */
  momentum: number;
  /** L2 weight decay, times each parameter's decay_mult. */
  weightDecay: number;
  /** Scale all gradients down when their global L2 norm exceeds this (Caffe's clip_gradients); absent: no clipping. */
  clipGradients?: number;
  /** adam: beta1, beta2 (Caffe's momentum, momentum2). */
  beta1: number;
  beta2: number;
  /** adam, adagrad, rmsprop: Caffe's delta. */
  eps: number;
  /** rmsprop: Caffe's rms_decay. */
  rmsDecay: number;
}

export const SOLVER_STATE_SLOTS: Record<SolverKind, readonly string[]> = {
  sgd: ['history'],
  nesterov: ['history'],
  adam: ['m', 'v'],
  adagrad: ['history'],
  rmsprop: ['history'],
};

/** Settings when a net has no train section: plain SGD with momentum, Caffe's LeNet example. */
export const DEFAULT_SOLVER: SolverSpec = solverSpec({ kind: 'sgd', lr: 0.01, momentum: 0.9 });
export const DEFAULT_LR_POLICY: LrPolicy = { kind: 'fixed' };

/** A complete spec from partial settings (Caffe's defaults for the rest), every number rounded to f32. */
export function solverSpec(p: Partial<SolverSpec> & { kind: SolverKind; lr: number }): SolverSpec {
  const f = Math.fround;
  const spec: SolverSpec = {
    kind: p.kind,
    lr: f(p.lr),
    momentum: f(p.momentum ?? 0),
    weightDecay: f(p.weightDecay ?? 0),
    beta1: f(p.beta1 ?? 0.9),
    beta2: f(p.beta2 ?? 0.999),
    eps: f(p.eps ?? 1e-8),
    rmsDecay: f(p.rmsDecay ?? 0.99),
  };
  if (p.clipGradients !== undefined) spec.clipGradients = f(p.clipGradients);
  return spec;
}

/** A setting stored as f32, shown as the decimal the user wrote (0.01, not 0.009999999776482582). */
export function shortNumber(x: number): string {
  return String(Number(x.toPrecision(7)));
}

export function describeSolver(spec: SolverSpec): string {
  const s = Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, typeof v === 'number' ? shortNumber(v) : v])) as Record<keyof SolverSpec, string>;
  const parts = [`lr: ${s.lr}`];
  if (s.kind === 'sgd' || s.kind === 'nesterov') parts.push(`momentum: ${s.momentum}`);
  if (s.kind === 'adam') parts.push(`beta1: ${s.beta1}`, `beta2: ${s.beta2}`, `eps: ${s.eps}`);
  if (s.kind === 'adagrad') parts.push(`eps: ${s.eps}`);
  if (s.kind === 'rmsprop') parts.push(`rms_decay: ${s.rmsDecay}`, `eps: ${s.eps}`);
  if (spec.weightDecay !== 0) parts.push(`weight_decay: ${s.weightDecay}`);
  if (spec.clipGradients !== undefined) parts.push(`clip_gradients: ${s.clipGradients}`);
  return `${s.kind}(${parts.join(', ')})`;
}

type Args = Record<string, number | number[] | boolean | string>;

const num = (args: Args, name: string): number | undefined => (typeof args[name] === 'number' ? (args[name] as number) : undefined);

function unsupported(message: string, config: TrainConfig, hint: string): Diagnostic {
  return error(TRAIN_CODES.UNSUPPORTED_SETTING, message, config.span, { hint });
}

/**
 * The solver and lr policy of a lowered train section (src/lower/train.ts fills in every default
 * and checks ranges, so only what the runtime itself cannot do is reported here).
 */
export function trainingFromConfig(config: TrainConfig): { solver?: SolverSpec; policy?: LrPolicy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const o = config.optimizer;
  const kind = SOLVER_KINDS.find((k) => k === o.kind);
  let solver: SolverSpec | undefined;
  const lr = num(o.args, 'lr');
  if (!kind || lr === undefined) {
    diagnostics.push(unsupported(`optimizer \`${o.kind}\` is not implemented by the training runtime`, config, `use one of ${SOLVER_KINDS.join(', ')}`));
  } else if (kind === 'rmsprop' && (num(o.args, 'momentum') ?? 0) !== 0) {
    diagnostics.push(
      unsupported('rmsprop with momentum is not supported: Caffe\'s RMSProp has no momentum term', config, 'drop `momentum` from rmsprop, or use adam'),
    );
  } else {
    solver = solverSpec({
      kind,
      lr,
      momentum: num(o.args, 'momentum'),
      weightDecay: num(o.args, 'weight_decay'),
      clipGradients: num(o.args, 'clip_gradients'),
      beta1: num(o.args, 'beta1'),
      beta2: num(o.args, 'beta2'),
      eps: num(o.args, 'eps'),
      rmsDecay: num(o.args, 'rms_decay'),
    });
  }
  const policy = policyFromSchedule(config.schedule.kind, config.schedule.args);
  if (!policy) {
    diagnostics.push(unsupported(`schedule \`${config.schedule.kind}\` is not implemented by the training runtime`, config, 'use fixed, step, multistep, inv, exp or poly'));
  }
  return { solver, policy, diagnostics };
}

function policyFromSchedule(kind: string, args: Args): LrPolicy | undefined {
  const gamma = num(args, 'gamma') ?? 0;
  const power = num(args, 'power') ?? 0;
  switch (kind) {
    case 'fixed':
      return { kind };
    case 'step':
      return { kind, gamma, stepsize: num(args, 'stepsize') ?? 1 };
    case 'multistep': {
      const steps = args.steps;
      return { kind, gamma, steps: Array.isArray(steps) ? [...steps] : typeof steps === 'number' ? [steps] : [] };
    }
    case 'exp':
      return { kind, gamma };
    case 'inv':
      return { kind, gamma, power };
    case 'poly':
      return { kind, power, maxIter: num(args, 'max_iter') ?? 1 };
    case 'sigmoid':
      return { kind, gamma, stepsize: num(args, 'stepsize') ?? 0 };
    default:
      return undefined;
  }
}
