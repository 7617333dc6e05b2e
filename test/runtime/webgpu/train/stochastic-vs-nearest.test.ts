/**
 * Stochastic vs nearest rounding with weights stored in fixed point, trained on WebGPU: the
 * classic result (stochastic-task.ts) on the GPU backend, whose stored-weight update rounds on
 * the device (src/runtime/webgpu/train). Nearest rounds every sub-half-LSB update away, so not
 * one stored weight moves in 100 steps; stochastic rounding keeps the updates in expectation and
 * the classifier learns. Two seeds (the CPU test runs five): lavapipe is slow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainBackendSetup } from '../../../../src/runtime/train/backend.js';
import { acquireDevice, type LpcDevice } from '../../../../src/runtime/webgpu/device.js';
import { PipelineCache } from '../../../../src/runtime/webgpu/pipeline-cache.js';
import { createWebgpuTrainBackend } from '../../../../src/runtime/webgpu/train/gpu-backend.js';
import { getTestDevice } from '../../../helpers/webgpu.js';
import { sameBits } from '../../train/loop-helpers.js';
import { onGrid, runStochasticTask } from '../../train/stochastic-task.js';

let device: LpcDevice | undefined;
let cache: PipelineCache | undefined;

beforeAll(async () => {
  if (!(await getTestDevice())) return;
  device = await acquireDevice({ label: 'stochastic-vs-nearest test' });
  cache = new PipelineCache(device.device);
});
afterAll(() => device?.destroy());

async function gpu(setup: TrainBackendSetup) {
  const r = await createWebgpuTrainBackend(setup, { device, cache });
  if (!r.backend) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return r.backend;
}

describe('stochastic vs nearest rounding of stored weights, on WebGPU', () => {
  it.for([1, 2])('seed %i: nearest stalls (no stored weight moves), stochastic learns', async (seed, ctx) => {
    if (!device) return ctx.skip();
    const nearest = await runStochasticTask(gpu, 'nearest', seed, false);
    const stochastic = await runStochasticTask(gpu, 'stochastic', seed, false);
    expect(sameBits(nearest.start, stochastic.start)).toBe(true);
    for (const t of [...nearest.end.values(), ...stochastic.end.values()]) expect(onGrid(t)).toBe(true);

    expect(sameBits(nearest.end, nearest.start), 'nearest moved a stored weight').toBe(true);
    expect(nearest.endLoss).toBe(nearest.startLoss);

    expect(sameBits(stochastic.end, stochastic.start)).toBe(false);
    expect(stochastic.endLoss).toBeLessThan(0.6 * stochastic.startLoss);
    expect(stochastic.endAccuracy).toBeGreaterThanOrEqual(0.9); // chance is 1/3
    expect(stochastic.endAccuracy).toBeGreaterThan(nearest.endAccuracy);
  });
});
