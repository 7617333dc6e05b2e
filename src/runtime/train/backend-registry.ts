import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { TrainBackend, TrainBackendSetup } from './backend.js';
import { TRAIN_CODES } from './codes.js';
import { createCpuBackend } from './cpu-backend.js';

/**
 * The training backends `--backend` can name. A backend is added with one entry: a factory that
 * builds it for a graph (asynchronously: a GPU backend requests its adapter and compiles its
 * pipelines), or explains with diagnostics why it cannot (no adapter, say).
 */
export type TrainBackendFactory = (setup: TrainBackendSetup) => Promise<{ backend?: TrainBackend; diagnostics: Diagnostic[] }>;

export const TRAIN_BACKENDS: Record<string, TrainBackendFactory> = {
  cpu: async (setup) => ({ backend: createCpuBackend(setup), diagnostics: [] }),
  // Loaded on demand, so CPU runs never load the WebGPU runtime.
  webgpu: async (setup) => (await import('../webgpu/train/gpu-backend.js')).createWebgpuTrainBackend(setup),
};

export function trainBackendNames(): string[] {
  return Object.keys(TRAIN_BACKENDS);
}

export async function createTrainBackend(name: string, setup: TrainBackendSetup): Promise<{ backend?: TrainBackend; diagnostics: Diagnostic[] }> {
  const factory = TRAIN_BACKENDS[name];
  if (!factory) {
    return {
      diagnostics: [
        error(TRAIN_CODES.UNKNOWN_BACKEND, `no training backend '${name}' in this build`, undefined, { hint: `the backends are ${trainBackendNames().join(', ')}` }),
      ],
    };
  }
  return factory(setup);
}
