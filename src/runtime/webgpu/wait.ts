/**
 * Waiting for the GPU without stealing the CPU from it.
 *
 * While a WebGPU promise is pending (onSubmittedWorkDone, mapAsync), the `webgpu` package keeps
 * Node's main thread polling Dawn: one core at 100%. On a CPU adapter (lavapipe) that core is
 * taken from the shader threads, a third to a half of their throughput on small machines. So a
 * wait first sleeps on a timer (no pending WebGPU promise, an idle event loop) for a fraction of
 * the time the work is expected to take, and only then creates the promise and awaits it.
 *
 * The expected time comes from the caller, or from a running estimate per workload key. A wait
 * that still had to wait after its sleep measured the work's duration, and the estimate moves
 * toward it. A wait that found the work already done when its sleep ended (the promise resolved
 * within OVERSLEPT_MS) only learned an upper bound, and the estimate shrinks below it, so that the
 * next sleep ends before the work does; recording the overslept time instead would let sleeps and
 * estimates ratchet upward. A first wait for an unknown key does not sleep. bench/wait-strategy.ts
 * measures the effect (bench/RESULTS.md).
 */
export class WaitEstimator {
  private readonly estimates = new Map<string, number>();

  /** smoothing: weight of the newest measurement in the running estimate (1 = last one only). */
  constructor(readonly smoothing = 0.5) {}

  expected(key: string): number | undefined {
    return this.estimates.get(key);
  }

  /** The work took `elapsedMs` (the wait was still pending after its sleep). */
  record(key: string, elapsedMs: number): void {
    const prior = this.estimates.get(key);
    this.estimates.set(key, prior === undefined ? elapsedMs : prior + this.smoothing * (elapsedMs - prior));
  }

  /** The work finished before `boundMs` (the sleep overshot): shrink the estimate below the bound. */
  recordUpperBound(key: string, boundMs: number): void {
    const prior = this.estimates.get(key) ?? boundMs;
    this.estimates.set(key, Math.min(prior, boundMs) * OVERSLEPT_SHRINK);
  }

  clear(): void {
    this.estimates.clear();
  }
}

export const defaultWaitEstimator = new WaitEstimator();

export interface WaitOptions {
  /** Workload key for the running estimate (e.g. the kernel or the net and batch). */
  key?: string;
  /** Expected duration in ms; overrides the estimate. */
  expectedMs?: number;
  estimator?: WaitEstimator;
  /** Fraction of the expected time to sleep before awaiting (default 0.85). 0 disables sleeping. */
  sleepFraction?: number;
  /** Sleeps shorter than this are skipped: timers are coarse and small waits spin little (default 2 ms). */
  minSleepMs?: number;
  /** Time the work was submitted (performance.now()); default: when the wait starts. */
  submittedAt?: number;
}

export const DEFAULT_SLEEP_FRACTION = 0.85;
/** A promise that resolves this soon after the sleep found the work already done. */
export const OVERSLEPT_MS = 1;
/** How far below an overslept bound the estimate moves. */
export const OVERSLEPT_SHRINK = 0.9;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Sleeps for part of the expected time, then creates the WebGPU promise with `start` and awaits
 * it. Records the elapsed time under `key`. Use it for mapAsync: `awaitGpu(() =>
 * buf.mapAsync(GPUMapMode.READ), { key })`.
 */
export async function awaitGpu<T>(start: () => Promise<T>, opts: WaitOptions = {}): Promise<T> {
  const t0 = opts.submittedAt ?? performance.now();
  const estimator = opts.estimator ?? defaultWaitEstimator;
  const expected = opts.expectedMs ?? (opts.key !== undefined ? estimator.expected(opts.key) : undefined);
  const fraction = opts.sleepFraction ?? DEFAULT_SLEEP_FRACTION;
  let slept = false;
  if (expected !== undefined && fraction > 0) {
    const ms = expected * fraction - (performance.now() - t0);
    if (ms >= (opts.minSleepMs ?? 2)) {
      await sleep(ms);
      slept = true;
    }
  }
  const t1 = performance.now();
  const result = await start();
  const t2 = performance.now();
  if (opts.key !== undefined) {
    if (slept && t2 - t1 < OVERSLEPT_MS) estimator.recordUpperBound(opts.key, t1 - t0);
    else estimator.record(opts.key, t2 - t0);
  }
  return result;
}

/** Waits until the queue has finished the work submitted so far; resolves to the elapsed ms. */
export async function awaitQueue(device: GPUDevice, expectedMsOrOptions?: number | WaitOptions): Promise<number> {
  const opts = typeof expectedMsOrOptions === 'number' ? { expectedMs: expectedMsOrOptions } : (expectedMsOrOptions ?? {});
  const t0 = opts.submittedAt ?? performance.now();
  await awaitGpu(() => device.queue.onSubmittedWorkDone(), { ...opts, submittedAt: t0 });
  return performance.now() - t0;
}
