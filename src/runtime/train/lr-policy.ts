/**
 * Caffe's learning-rate policies (SGDSolver::GetLearningRate), as pure functions of the
 * iteration: `iter` counts training steps from 0, exactly like Caffe's `iter_`, so a run resumed
 * at step k gets the rate the uninterrupted run had there.
 *
 *   fixed      base_lr
 *   step       base_lr * gamma ^ floor(iter / stepsize)
 *   multistep  base_lr * gamma ^ (number of stepvalues <= iter)
 *   exp        base_lr * gamma ^ iter
 *   inv        base_lr * (1 + gamma * iter) ^ (-power)
 *   poly       base_lr * (1 - iter / max_iter) ^ power        (0 from max_iter on)
 *   sigmoid    base_lr / (1 + exp(-gamma * (iter - stepsize)))
 *
 * Caffe computes the rate in the solver's float type with libm's pow; here it is computed in f64
 * from the f32 settings and rounded to f32 once. Every backend takes the rate from this function
 * (the train loop passes it to the step), so backends never disagree about it.
 *
 * Differences from Caffe, both at its edges: multistep counts every step value <= iter rather
 * than advancing one per call (the same when called every iteration, and stateless), and poly
 * stays at 0 after max_iter instead of taking a power of a negative number.
 */

export type LrPolicy =
  | { kind: 'fixed' }
  | { kind: 'step'; gamma: number; stepsize: number }
  | { kind: 'multistep'; gamma: number; steps: number[] }
  | { kind: 'exp'; gamma: number }
  | { kind: 'inv'; gamma: number; power: number }
  | { kind: 'poly'; power: number; maxIter: number }
  | { kind: 'sigmoid'; gamma: number; stepsize: number };

export const LR_POLICY_KINDS = ['fixed', 'step', 'multistep', 'exp', 'inv', 'poly', 'sigmoid'] as const;

/** The rate at iteration `iter` (a whole number >= 0), as an f32 value. */
export function learningRate(policy: LrPolicy, baseLr: number, iter: number): number {
  const base = Math.fround(baseLr);
  return Math.fround(base * lrFactor(policy, iter));
}

/** The policy's multiplier of base_lr at `iter` (f64). */
export function lrFactor(policy: LrPolicy, iter: number): number {
  const f = Math.fround;
  switch (policy.kind) {
    case 'fixed':
      return 1;
    case 'step':
      return f(policy.gamma) ** Math.floor(iter / policy.stepsize);
    case 'multistep': {
      let passed = 0;
      for (const s of policy.steps) if (iter >= s) passed++;
      return f(policy.gamma) ** passed;
    }
    case 'exp':
      return f(policy.gamma) ** iter;
    case 'inv':
      return (1 + f(policy.gamma) * iter) ** -f(policy.power);
    case 'poly':
      return iter >= policy.maxIter ? 0 : (1 - iter / policy.maxIter) ** f(policy.power);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-f(policy.gamma) * (iter - policy.stepsize)));
  }
}

/** One line for logs and the run record: `inv(gamma: 0.0001, power: 0.75)`. */
export function describeLrPolicy(p: LrPolicy): string {
  switch (p.kind) {
    case 'fixed':
      return 'fixed';
    case 'step':
      return `step(gamma: ${p.gamma}, stepsize: ${p.stepsize})`;
    case 'multistep':
      return `multistep(gamma: ${p.gamma}, steps: [${p.steps.join(', ')}])`;
    case 'exp':
      return `exp(gamma: ${p.gamma})`;
    case 'inv':
      return `inv(gamma: ${p.gamma}, power: ${p.power})`;
    case 'poly':
      return `poly(power: ${p.power}, max_iter: ${p.maxIter})`;
    case 'sigmoid':
      return `sigmoid(gamma: ${p.gamma}, stepsize: ${p.stepsize})`;
  }
}
