import { describe, expect, it } from 'vitest';
import { awaitGpu, awaitQueue, WaitEstimator } from '../../../src/runtime/webgpu/wait.js';
import { getTestDevice } from '../../helpers/webgpu.js';

describe('wait strategy', () => {
  it('keeps a running estimate per workload key', () => {
    const e = new WaitEstimator(0.5);
    expect(e.expected('a')).toBeUndefined();
    e.record('a', 100);
    e.record('a', 50);
    e.record('b', 10);
    expect(e.expected('a')).toBe(75);
    expect(e.expected('b')).toBe(10);
    // an overslept wait only bounds the time: the estimate drops below the bound
    e.recordUpperBound('a', 60);
    expect(e.expected('a')).toBeCloseTo(54);
    e.recordUpperBound('a', 500);
    expect(e.expected('a')).toBeCloseTo(48.6);
  });

  it('sleeps for the expected fraction before creating the GPU promise, and learns the time', async () => {
    const estimator = new WaitEstimator(1);
    const t0 = performance.now();
    let startedAt = -1;
    const r = await awaitGpu(
      async () => {
        startedAt = performance.now() - t0;
        return 7;
      },
      { key: 'k', expectedMs: 40, sleepFraction: 0.5, estimator },
    );
    expect(r).toBe(7);
    expect(startedAt).toBeGreaterThanOrEqual(18);
    // the promise resolved at once after the sleep: an upper bound, shrunk by 10%
    expect(estimator.expected('k')).toBeLessThan(startedAt);
    expect(estimator.expected('k')).toBeGreaterThan(0.85 * 18);
    // unknown key, no expectation: no sleep
    const t1 = performance.now();
    await awaitGpu(async () => undefined, { key: 'new', estimator });
    expect(performance.now() - t1).toBeLessThan(15);
  });

  it('awaits the queue of a real device', async (ctx) => {
    const device = await getTestDevice();
    if (!device) return ctx.skip();
    const buf = device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buf, 0, new Uint32Array([1, 2, 3, 4]));
    const ms = await awaitQueue(device, { key: 'test-queue', expectedMs: 5 });
    expect(ms).toBeGreaterThanOrEqual(0);
    buf.destroy();
  });
});
