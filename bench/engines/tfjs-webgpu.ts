/**
 * Peer: TensorFlow.js's WebGPU backend (@tensorflow/tfjs-backend-webgpu) on the `webgpu` package's
 * Dawn, the same instance and adapter lpc uses (dawn.ts).
 *
 * The model is built from TF.js's fused ops, its fastest path for these layers: fused conv2d and
 * fused matMul with bias and activation, NHWC activations (TF.js's native layout; the weights are
 * permuted once at prepare so the results equal the NCHW engines'). A dense layer whose weight
 * matrix exceeds the adapter's maxStorageBufferBindingSize (VGG16's fc6, 411 MB, on lavapipe's
 * 128 MiB) is split by output units into matrices that fit, each multiplied separately and the
 * results concatenated, since a binding that large fails validation.
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
import { layerShapes, type BenchModel } from '../workloads.js';
import { denseToNhwcRows, nchwToNhwc, oihwToHwio, type LayerWeights } from '../weights.js';
import { sharedGpu } from './dawn.js';
import { errorMessage, type BenchJob, type Engine, type Prepared, type RunOutput } from './engine.js';

type Tf = typeof TfCore;
type Tensor = TfCore.Tensor;

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

interface TfModel {
  forward(x: TfCore.Tensor4D): Tensor;
  params: Tensor[];
}

function buildModel(tf: Tf, model: BenchModel, weights: readonly LayerWeights[], maxBinding: number): TfModel {
  const params: Tensor[] = [];
  const keep = <T extends Tensor>(t: T): T => {
    params.push(t);
    return t;
  };
  const shapes = layerShapes(model.inputShape, model.layers);
  const steps: ((x: Tensor) => Tensor)[] = [];
  let w = 0;
  model.layers.forEach((l, i) => {
    if (l.kind === 'conv') {
      const lw = weights[w++];
      const [o, c, k] = lw.weightShape;
      const filter = keep(tf.tensor4d(oihwToHwio(lw.weight, lw.weightShape), [k, k, c, o]));
      const bias = keep(tf.tensor1d(lw.bias));
      const pad: 'valid' | 'same' | number = l.pad === 0 ? 'valid' : l.stride === 1 && 2 * l.pad === l.kernel - 1 ? 'same' : l.pad;
      const activation = l.relu ? 'relu' : 'linear';
      steps.push((x) => tf.fused.conv2d({ x: x as TfCore.Tensor4D, filter, strides: l.stride, pad, bias, activation }));
    } else if (l.kind === 'dense') {
      const lw = weights[w++];
      const [units, k] = lw.weightShape;
      const rows = denseToNhwcRows(lw.weight, units, shapes[i]);
      // Output units per matrix so that one [k, chunk] f32 matrix fits in one storage binding.
      const chunk = Math.min(units, Math.max(1, Math.floor(maxBinding / (k * 4))));
      const parts: { b: Tensor; bias: Tensor }[] = [];
      for (let u0 = 0; u0 < units; u0 += chunk) {
        const n = Math.min(chunk, units - u0);
        const slice = new Float32Array(k * n);
        for (let r = 0; r < k; r++) slice.set(rows.subarray(r * units + u0, r * units + u0 + n), r * n);
        parts.push({ b: keep(tf.tensor2d(slice, [k, n])), bias: keep(tf.tensor1d(lw.bias.subarray(u0, u0 + n))) });
      }
      const activation = l.relu ? 'relu' : 'linear';
      steps.push((x) => {
        const a = (x.rank === 2 ? x : tf.reshape(x, [x.shape[0], -1])) as TfCore.Tensor2D;
        const ys = parts.map((p) => tf.fused.matMul({ a, b: p.b as TfCore.Tensor2D, bias: p.bias, activation }));
        return ys.length === 1 ? ys[0] : tf.concat(ys, 1);
      });
    } else if (l.kind === 'max_pool') {
      steps.push((x) => tf.maxPool(x as TfCore.Tensor4D, l.kernel, l.stride, 'valid'));
    } else if (l.kind === 'tanh') {
      steps.push((x) => tf.tanh(x));
    } else {
      steps.push((x) => tf.softmax(x));
    }
  });
  return { forward: (x) => steps.reduce((t, step) => step(t), x as Tensor), params };
}

export type TfWait = 'tfjs' | 'timer';

export class TfjsWebGpuEngine implements Engine {
  readonly side = 'peer' as const;
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
    const built = buildModel(tf, job.model, job.weights, maxBinding);
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
