/**
 * lpc's CPU reference (src/runtime/cpu/executor.ts runForward) on the lowered and pipelined graph:
 * plain JavaScript loops over Float64Array, written to be the oracle the WebGPU kernels are
 * checked against, not to be fast. Measured for context only.
 */
import { runForward } from '../../src/runtime/cpu/executor.js';
import { compileJob, describeError } from './lpc-compile.js';
import type { BenchJob, Engine, Prepared } from './engine.js';

export class LpcCpuEngine implements Engine {
  readonly id = 'lpc-cpu';
  readonly side = 'lpc' as const;
  readonly compilesLazily = false;
  readonly description = "lpc's CPU reference executor (runForward over the pipelined graph; Float64 loops, one thread)";
  readonly waitStrategy = 'none: runForward is synchronous on the main thread';

  async init(): Promise<string | undefined> {
    return undefined;
  }

  unsupported(): string | undefined {
    return undefined;
  }

  async prepare(job: BenchJob): Promise<Prepared> {
    const c = compileJob(job);
    return {
      run: async () => {
        try {
          const r = runForward(c.graph, c.weights, c.inputs, { training: false, seed: 1, step: 0 });
          const out = r.outputs.get(c.outputName);
          if (!out) throw new Error(`the graph has no output '${c.outputName}'`);
          return { data: out.data, shape: out.shape, layout: 'nchw' };
        } catch (e) {
          throw new Error(describeError(e));
        }
      },
      dispose: async () => {
        c.weights.clear();
      },
    };
  }

  async dispose(): Promise<void> {}
}
