/**
 * The timing loop: a first run (timed and reported apart, since it includes shader compilation
 * and other one-time work), more warm-up runs, then timed runs, bounded by a time budget so that a
 * slow engine (VGG16 on lavapipe or on the CPU reference) still finishes in minutes.
 */
import type { Prepared, RunOutput } from './engines/engine.js';

export interface TimingPolicy {
  /** Warm-up runs at most, the first run included. */
  warmup: number;
  /** Warm-up runs at least, even over budget (the second run of a lazily compiling engine can still compile). */
  minWarmup: number;
  /** Timed runs at most. */
  runs: number;
  /** Timed runs at least, even over budget. */
  minRuns: number;
  /** Time for one engine on one workload: warm-up stops past half of it, timed runs past all of it. */
  budgetMs: number;
  /**
   * For engines with no one-time work (the CPU reference): when the first run alone takes the whole
   * budget, it is the one timed run (VGG16 on the CPU reference takes minutes per run).
   */
  firstRunMayCount?: boolean;
}

export const FULL_POLICY: TimingPolicy = { warmup: 3, minWarmup: 2, runs: 20, minRuns: 1, budgetMs: 60_000 };
export const QUICK_POLICY: TimingPolicy = { warmup: 1, minWarmup: 1, runs: 3, minRuns: 1, budgetMs: 10_000 };

export interface Measurement {
  firstRunMs: number;
  warmupRuns: number;
  timesMs: number[];
  medianMs: number;
  p90Ms: number;
  minMs: number;
  /** The output of the last run (for the correctness checks). */
  output: RunOutput;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}

async function timed(p: Prepared): Promise<{ ms: number; output: RunOutput }> {
  const t0 = performance.now();
  const output = await p.run();
  return { ms: performance.now() - t0, output };
}

export async function measure(p: Prepared, policy: TimingPolicy, log: (line: string) => void = () => {}): Promise<Measurement> {
  const first = await timed(p);
  log(`first run ${first.ms.toFixed(1)} ms`);
  if (policy.firstRunMayCount && first.ms >= policy.budgetMs) {
    return { firstRunMs: first.ms, warmupRuns: 0, timesMs: [first.ms], medianMs: first.ms, p90Ms: first.ms, minMs: first.ms, output: first.output };
  }
  let warmupMs = first.ms;
  let warmupRuns = 1;
  let output = first.output;
  while (warmupRuns < policy.warmup && (warmupRuns < policy.minWarmup || warmupMs < policy.budgetMs / 2)) {
    const r = await timed(p);
    warmupMs += r.ms;
    warmupRuns++;
    output = r.output;
  }
  const times: number[] = [];
  let total = 0;
  while (times.length < policy.runs && (times.length < policy.minRuns || total < policy.budgetMs)) {
    const r = await timed(p);
    times.push(r.ms);
    total += r.ms;
    output = r.output;
  }
  return {
    firstRunMs: first.ms,
    warmupRuns,
    timesMs: times,
    medianMs: median(times),
    p90Ms: percentile(times, 90),
    minMs: Math.min(...times),
    output,
  };
}
