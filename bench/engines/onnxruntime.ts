/**
 * Peer: onnxruntime-node's CPU execution provider, on a model this benchmark encodes itself
 * (onnx/onnx-model.ts) with the shared weights. Native code with its own thread pool (one thread
 * per physical core by default), all graph optimisations on: the context for what the machine's
 * CPU can do, not a target for a WebGPU engine running on an emulated GPU.
 */
import type * as Ort from 'onnxruntime-node';
import { encodeOnnxModel, ONNX_INPUT_NAME } from '../onnx/onnx-model.js';
import { errorMessage, type BenchJob, type Engine, type Prepared } from './engine.js';

type OrtApi = typeof Ort;

export class OnnxRuntimeCpuEngine implements Engine {
  readonly id = 'onnxruntime-cpu';
  readonly side = 'peer' as const;
  readonly compilesLazily = true;
  readonly description = 'onnxruntime-node, CPU execution provider, graph optimisation level "all", default thread pool';
  readonly waitStrategy = '`await session.run()`: the inference runs on ORT\'s native threads while Node\'s event loop idles (no WebGPU promise, no polling)';
  private ort: OrtApi | undefined;

  async init(): Promise<string | undefined> {
    try {
      const mod = (await import('onnxruntime-node')) as OrtApi & { default?: OrtApi };
      this.ort = typeof mod.InferenceSession === 'function' ? mod : mod.default;
      if (!this.ort || typeof this.ort.InferenceSession !== 'function') return 'onnxruntime-node loaded without an InferenceSession export';
      return undefined;
    } catch (e) {
      return `onnxruntime-node unavailable: ${errorMessage(e)}`;
    }
  }

  unsupported(job: BenchJob): string | undefined {
    return job.precision === 'f32' ? undefined : "lpc's fixed<I, F> types have no ONNX Runtime counterpart";
  }

  async prepare(job: BenchJob): Promise<Prepared> {
    const ort = this.ort;
    if (!ort) throw new Error('onnxruntime engine used before init()');
    const bytes = encodeOnnxModel(job.model, job.weights);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    const input = job.input;
    const shape = job.model.inputShape;
    const outName = job.model.outputName;
    return {
      run: async () => {
        const feeds = { [ONNX_INPUT_NAME]: new ort.Tensor('float32', input, shape) };
        const result = await session.run(feeds);
        const out = result[outName];
        const data = out.data as Float32Array;
        return { data, shape: [...out.dims], layout: 'nchw' };
      },
      dispose: async () => {
        await session.release();
      },
    };
  }

  async dispose(): Promise<void> {
    this.ort = undefined;
  }
}
