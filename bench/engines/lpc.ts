/**
 * lpc's WebGPU engine: the job's net lowered and pipelined (lpc-compile.ts), planned into a WGSL
 * program for the device (src/codegen/wgsl/program.ts buildWgslProgram), and run by lpc's WebGPU
 * executor (src/runtime/webgpu/executor.ts createWebgpuNet) on the shared Dawn instance
 * (dawn.ts), the same adapter TF.js runs on. One device and one pipeline cache serve every job.
 *
 * A timed run is `net.run(inputs)`: the input packed and written to its buffer, every dispatch in
 * one command buffer, the output read back and decoded; the executor waits with wait.ts's strategy
 * (a timer sleep for 85% of its running estimate, then mapAsync). When there is no device or a
 * layer has no kernel, the engine says so and the harness records it: no number is made up.
 */
import { buildWgslProgram } from '../../src/codegen/wgsl/program.js';
import { DiagnosticError } from '../../src/diag/diagnostic.js';
import { acquireDevice, type LpcDevice } from '../../src/runtime/webgpu/device.js';
import { createWebgpuNet, type WebgpuNet } from '../../src/runtime/webgpu/executor.js';
import { PipelineCache } from '../../src/runtime/webgpu/pipeline-cache.js';
import { WaitEstimator } from '../../src/runtime/webgpu/wait.js';
import { sharedGpu } from './dawn.js';
import { compileJob, describeError } from './lpc-compile.js';
import type { BenchJob, Engine, Prepared } from './engine.js';

export class LpcWebGpuEngine implements Engine {
  readonly id = 'lpc-webgpu';
  readonly side = 'lpc' as const;
  readonly compilesLazily = true;
  readonly description = "lpc's WebGPU executor (createWebgpuNet: fused WGSL kernels, packed fixed-point storage) on the shared Dawn adapter";
  readonly waitStrategy =
    "the executor's own (src/runtime/webgpu/wait.ts awaitGpu): one submit, then a timer sleep for 85% of the running estimate of the net's time (no WebGPU promise pending), then mapAsync of the results";
  private device: LpcDevice | undefined;
  private cache: PipelineCache | undefined;

  async init(): Promise<string | undefined> {
    try {
      this.device = await acquireDevice({ gpu: sharedGpu(), label: 'lpc-bench' });
      this.cache = new PipelineCache(this.device.device);
      return undefined;
    } catch (e) {
      return `no WebGPU device for lpc: ${describeError(e)}`;
    }
  }

  unsupported(): string | undefined {
    return undefined;
  }

  async prepare(job: BenchJob): Promise<Prepared> {
    const device = this.device;
    if (!device || !this.cache) throw new Error('lpc WebGPU engine used before a successful init()');
    const c = compileJob(job);
    const built = buildWgslProgram(c.pipeline, device.wgsl);
    if (!built.program) throw new Error(describeError(new DiagnosticError(built.diagnostics.filter((d) => d.severity === 'error'))));
    let net: WebgpuNet;
    try {
      net = await createWebgpuNet(device, built.program, c.weights, { cache: this.cache, estimator: new WaitEstimator() });
    } catch (e) {
      throw new Error(describeError(e));
    }
    c.weights.clear();
    return {
      run: async () => {
        let outputs: ReadonlyMap<string, { shape: number[]; data: Float64Array }>;
        try {
          outputs = (await net.run(c.inputs)).outputs;
        } catch (e) {
          throw new Error(describeError(e));
        }
        const out = outputs.get(c.outputName);
        if (!out) throw new Error(`the executor returned no output '${c.outputName}' (got ${[...outputs.keys()].join(', ') || 'none'})`);
        return { data: out.data, shape: out.shape, layout: 'nchw' };
      },
      dispose: async () => {
        net.destroy();
      },
    };
  }

  async dispose(): Promise<void> {
    this.device?.destroy();
    this.device = undefined;
    this.cache = undefined;
  }
}
