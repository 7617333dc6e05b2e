import type { SolverSpec } from './solver-spec.js';
import { SOLVER_STATE_SLOTS } from './solver-spec.js';

/**
 * The solvers' update rules on the CPU, in f32 arithmetic: every operation's result is rounded
 * with Math.fround, one rounding per operation in the order written below (docs/training.md,
 * "The update, exactly"), so a WGSL kernel that does the same operations in f32 agrees to the
 * last bit except where it fuses a multiply-add.
 *
 * One step, as Caffe's SGDSolver::ApplyUpdate:
 *   1. rate = lr policy at iter (the caller computes it: lr-policy.ts);
 *   2. clip: if clip_gradients is set and the global L2 norm of all trained gradients exceeds it,
 *      every gradient is multiplied by clip / norm;
 *   3. per parameter, regularize: g = g + (weight_decay * decay_mult) * w;
 *   4. per parameter, the optimizer's rule with local_rate = rate * lr_mult gives the update u;
 *   5. w = w - u.
 * Clipping comes before weight decay, as in Caffe, so the decay term is never clipped.
 */

const f = Math.fround;

export interface StepHyper {
  /** The rate of this step (from the lr policy). */
  lr: number;
  /** The step index from 0 (Adam's bias correction uses t = iter + 1). */
  iter: number;
  /** From gradientScale: 1, or clip / norm when clipping. */
  gradScale: number;
}

export interface ParamHyper {
  lrMult: number;
  decayMult: number;
}

/** Sum of squares of every gradient element, in f64, in the order given. */
export function sumOfSquares(grads: Iterable<Float64Array>): number {
  let s = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return s;
}

/**
 * Caffe's ClipGradients as a factor: clip / ||g|| (f32) when the global norm exceeds clip,
 * else 1. The norm is summed in f64 and rounded once: a GPU reduction sums in another order, so
 * backends agree on this factor to about 1e-6 relative, not to the bit (docs/training.md).
 */
export function gradientScale(spec: SolverSpec, grads: Iterable<Float64Array>): number {
  if (spec.clipGradients === undefined) return 1;
  const norm = f(Math.sqrt(sumOfSquares(grads)));
  return norm > spec.clipGradients ? f(spec.clipGradients / norm) : 1;
}

/** Adam's step-size correction sqrt(1 - beta2^t) / (1 - beta1^t), t = iter + 1, computed in f64 and rounded. */
export function adamCorrection(spec: SolverSpec, iter: number): number {
  const t = iter + 1;
  return f(Math.sqrt(1 - spec.beta2 ** t) / (1 - spec.beta1 ** t));
}

/** Fresh (zero) state tensors for a parameter of `size` elements. */
export function emptyParamState(spec: SolverSpec, size: number): Float64Array[] {
  return SOLVER_STATE_SLOTS[spec.kind].map(() => new Float64Array(size));
}

/**
 * One parameter's update. Reads the master weights `w`, the gradient `g` and the state arrays
 * (SOLVER_STATE_SLOTS order); returns new weights and new state, leaving the inputs untouched so
 * a caller can drop the result of a step that went non-finite.
 */
export function updateParameter(
  spec: SolverSpec,
  w: Float64Array,
  g: Float64Array,
  state: readonly Float64Array[],
  param: ParamHyper,
  step: StepHyper,
): { weights: Float64Array; state: Float64Array[] } {
  const n = w.length;
  const out = new Float64Array(n);
  const next = state.map((s) => Float64Array.from(s));
  const localRate = f(step.lr * param.lrMult);
  const localDecay = f(spec.weightDecay * param.decayMult);
  const scale = step.gradScale;
  const grad = (i: number): number => {
    let gi = scale === 1 ? g[i] : f(g[i] * scale);
    if (localDecay !== 0) gi = f(f(localDecay * w[i]) + gi);
    return gi;
  };
  switch (spec.kind) {
    case 'sgd': {
      const h = next[0];
      const m = spec.momentum;
      for (let i = 0; i < n; i++) {
        h[i] = f(f(localRate * grad(i)) + f(m * h[i]));
        out[i] = f(w[i] - h[i]);
      }
      break;
    }
    case 'nesterov': {
      const h = next[0];
      const m = spec.momentum;
      const onePlusM = f(1 + m);
      for (let i = 0; i < n; i++) {
        const before = h[i];
        h[i] = f(f(localRate * grad(i)) + f(m * h[i]));
        const u = f(f(onePlusM * h[i]) - f(m * before));
        out[i] = f(w[i] - u);
      }
      break;
    }
    case 'adam': {
      const [mom, vel] = next;
      const b1 = spec.beta1;
      const b2 = spec.beta2;
      const oneMinusB1 = f(1 - b1);
      const oneMinusB2 = f(1 - b2);
      const stepSize = f(localRate * adamCorrection(spec, step.iter));
      for (let i = 0; i < n; i++) {
        const gi = grad(i);
        mom[i] = f(f(oneMinusB1 * gi) + f(b1 * mom[i]));
        vel[i] = f(f(oneMinusB2 * f(gi * gi)) + f(b2 * vel[i]));
        const u = f(stepSize * f(mom[i] / f(f(Math.sqrt(vel[i])) + spec.eps)));
        out[i] = f(w[i] - u);
      }
      break;
    }
    case 'adagrad': {
      const h = next[0];
      for (let i = 0; i < n; i++) {
        const gi = grad(i);
        h[i] = f(h[i] + f(gi * gi));
        const u = f(localRate * f(gi / f(f(Math.sqrt(h[i])) + spec.eps)));
        out[i] = f(w[i] - u);
      }
      break;
    }
    case 'rmsprop': {
      const h = next[0];
      const d = spec.rmsDecay;
      const oneMinusD = f(1 - d);
      for (let i = 0; i < n; i++) {
        const gi = grad(i);
        h[i] = f(f(oneMinusD * f(gi * gi)) + f(d * h[i]));
        const u = f(localRate * f(gi / f(f(Math.sqrt(h[i])) + spec.eps)));
        out[i] = f(w[i] - u);
      }
      break;
    }
  }
  return { weights: out, state: next };
}
