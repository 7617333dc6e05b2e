/**
 * Peer: TensorFlow.js's WebGPU backend (@tensorflow/tfjs-backend-webgpu) on the `webgpu` package's
 * Dawn, the same instance and adapter lpc uses (dawn.ts).
 *
 * The model is built by tfjs-model.ts from TF.js's fused ops, NHWC, with dense layers split to fit
 * the adapter's maxStorageBufferBindingSize.
 *
 * Two ways of waiting, as two engines:
 *  - 'tfjs-webgpu': `await tensor.data()`, what a TF.js user writes. While its mapAsync is pending
 *    the `webgpu` package keeps Node's main thread polling Dawn, a whole core.
 *  - 'tfjs-webgpu-timer': the same model, but the work is submitted and the harness sleeps on a
 *    timer for 85% of the previous run's time before calling data(): lpc's own wait strategy
 *    (src/runtime/webgpu/wait.ts), so the lpc/TF.js ratio can be read without the spinning.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { awaitGpu, WaitEstimator } from '../../src/runtime/webgpu/wait.js';
import { nchwToNhwc } from '../weights.js';
import { sharedGpu } from './dawn.js';
import { errorMessage, type BenchJob, type Engine, type Prepared, type RunOutput } from './engine.js';
import { buildTfModel } from './tfjs-model.js';

type Tf = typeof TfCore;

/** The parts of TF.js's WebGPU backend the timer wait needs (not in its public types). */
interface WebGpuBackendInternals {
  device: GPUDevice;
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

let tfLoading: Promise<Tf> | undefined;

/** Loads TF.js with the WebGPU backend on the shared Dawn instance (once per process). */
async function loadTf(): Promise<Tf> {
  tfLoading ??= (async () => {
    sharedGpu();
    const tf = await import('@tensorflow/tfjs-core');
    // The backend registers itself on import, and only when navigator.gpu exists (set above).
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error("TF.js could not initialise its 'webgpu' backend");
    await tf.ready();
    return tf;
  })();
  return tfLoading;
}

function backendInternals(tf: Tf): Partial<WebGpuBackendInternals> {
  return tf.backend() as unknown as Partial<WebGpuBackendInternals>;
}

export type TfWait = 'tfjs' | 'timer';

export class TfjsWebGpuEngine implements Engine {
  readonly side = 'peer' as const;
  readonly compilesLazily = true;
  readonly id: string;
  readonly description: string;
  readonly waitStrategy: string;
  private tf: Tf | undefined;
  private readonly estimator = new WaitEstimator();

  constructor(readonly wait: TfWait = 'tfjs') {
    this.id = wait === 'tfjs' ? 'tfjs-webgpu' : 'tfjs-webgpu-timer';
    this.description = `TensorFlow.js WebGPU backend (fused conv2d/matMul, NHWC) on the shared Dawn adapter${wait === 'timer' ? ', timer wait' : ''}`;
    this.waitStrategy =
      wait === 'tfjs'
        ? "TF.js's own: `await tensor.data()` right after enqueueing (its mapAsync is pending the whole time, so Node's main thread polls Dawn on one core)"
        : "work submitted, then a timer sleep for 85% of the previous run's time (no WebGPU promise pending), then `await tensor.data()`: lpc's wait strategy applied to TF.js";
  }

  async init(): Promise<string | undefined> {
    try {
      this.tf = await loadTf();
      if (this.wait === 'timer') {
        const b = backendInternals(this.tf);
        if (typeof b.submitQueue !== 'function' || typeof b.endComputePassEncoder !== 'function' || !('commandEncoder' in b)) {
          return "this TF.js WebGPU backend has no submitQueue/endComputePassEncoder, which the timer wait needs to submit the work before sleeping";
        }
      }
      return undefined;
    } catch (e) {
      return `TF.js WebGPU backend unavailable: ${errorMessage(e)}`;
    }
  }

  unsupported(job: BenchJob): string | undefined {
    return job.precision === 'f32' ? undefined : 'TF.js has no fixed-point inference';
  }

  async prepare(job: BenchJob): Promise<Prepared> {
    const tf = this.tf;
    if (!tf) throw new Error('TF.js engine used before init()');
    const internals = backendInternals(tf);
    const maxBinding = internals.device?.limits.maxStorageBufferBindingSize ?? 128 * 1024 * 1024;
    const built = buildTfModel(tf, job.model, job.weights, maxBinding);
    const [n, c, h, w] = job.model.inputShape;
    const input = nchwToNhwc(job.input, job.model.inputShape);
    const outShape = job.model.outputShape;
    const key = `${this.id}:${job.model.workload}:${job.model.inputShape.join('x')}`;
    const flush = () => {
      if (internals.commandEncoder) {
        internals.endComputePassEncoder?.();
        internals.submitQueue?.();
      }
    };
    return {
      run: async (): Promise<RunOutput> => {
        const t0 = performance.now();
        const y = tf.tidy(() => built.forward(tf.tensor4d(input, [n, h, w, c])));
        let data: ArrayLike<number>;
        try {
          if (this.wait === 'timer') {
            flush();
            data = await awaitGpu(() => y.data(), { key, estimator: this.estimator, submittedAt: t0 });
          } else {
            data = await y.data();
          }
        } finally {
          y.dispose();
        }
        return { data, shape: outShape, layout: outShape.length === 4 ? 'nhwc' : 'nchw' };
      },
      dispose: async () => {
        for (const p of built.params) p.dispose();
      },
    };
  }

  async dispose(): Promise<void> {
    this.estimator.clear();
  }
}
