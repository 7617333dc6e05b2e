/**
 * Waiting for the GPU without stealing the CPU from it.
 *
 * While a WebGPU promise is pending (onSubmittedWorkDone, mapAsync), the `webgpu` package keeps
 * Node's main thread polling Dawn: one core at 100%. On a CPU adapter (lavapipe) that core is
 * taken from the shader threads, a third to a half of their throughput on small machines. So a
 * wait first sleeps on a timer (no pending WebGPU promise, an idle event loop) for a fraction of
 * the time the work is expected to take, and only then creates the promise and awaits it.
 *
 * The expected time comes from the caller, or from a running estimate per workload key (the
 * elapsed times of earlier waits with the same key). The estimate converges from above: a wait
 * that slept longer than the work took records its sleep, and the next sleep is that fraction of
 * it. A first wait for an unknown key does not sleep. bench/wait-strategy.ts measures the effect
 * (bench/RESULTS.md).
 */
export class WaitEstimator {
  private readonly estimates = new Map<string, number>();

  /** smoothing: weight of the newest measurement in the running estimate (1 = last one only). */
  constructor(readonly smoothing = 0.5) {}

  expected(key: string): number | undefined {
    return this.estimates.get(key);
  }

  record(key: string, elapsedMs: number): void {
    const prior = this.estimates.get(key);
    this.estimates.set(key, prior === undefined ? elapsedMs : prior + this.smoothing * (elapsedMs - prior));
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
  if (expected !== undefined && fraction > 0) {
    const ms = expected * fraction - (performance.now() - t0);
    if (ms >= (opts.minSleepMs ?? 2)) await sleep(ms);
  }
  const result = await start();
  if (opts.key !== undefined) estimator.record(opts.key, performance.now() - t0);
  return result;
}

/** Waits until the queue has finished the work submitted so far; resolves to the elapsed ms. */
export async function awaitQueue(device: GPUDevice, expectedMsOrOptions?: number | WaitOptions): Promise<number> {
  const opts = typeof expectedMsOrOptions === 'number' ? { expectedMs: expectedMsOrOptions } : (expectedMsOrOptions ?? {});
  const t0 = opts.submittedAt ?? performance.now();
  await awaitGpu(() => device.queue.onSubmittedWorkDone(), { ...opts, submittedAt: t0 });
  return performance.now() - t0;
}
