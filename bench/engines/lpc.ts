/**
 * lpc's WebGPU engine: the job's net lowered and pipelined (lpc-compile.ts), then run by lpc's
 * WebGPU executor on the shared Dawn instance (dawn.ts), the same adapter TF.js runs on.
 *
 * The executor is being written alongside this benchmark. This adapter binds to it at run time,
 * expecting the module src/runtime/webgpu/executor.ts to export
 *
 *   createExecutor(device: LpcDevice, graph: Graph, weights: ReadonlyMap<string, Tensor>)
 *     : Promise<{ run(inputs: ReadonlyMap<string, Tensor>): Promise<ReadonlyMap<string, Tensor>>; destroy(): void }>
 *
 * where `graph` is the pipelined inference graph, `run` uploads the inputs (by input value id),
 * dispatches the net and resolves with the named outputs in host memory. When the module or that
 * export is missing, init() says so and the harness skips this engine: no number is ever made up.
 * If the executor lands with another signature, `bindExecutor` below is the one place to adapt.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { acquireDevice, type LpcDevice } from '../../src/runtime/webgpu/device.js';
import { sharedGpu } from './dawn.js';
import { compileJob, describeError } from './lpc-compile.js';
import type { BenchJob, Engine, Prepared } from './engine.js';

export interface LpcGpuExecutor {
  run(inputs: ReadonlyMap<string, Tensor>): Promise<ReadonlyMap<string, Tensor>>;
  destroy(): void;
}

type CreateExecutor = (device: LpcDevice, graph: Graph, weights: ReadonlyMap<string, Tensor>) => Promise<LpcGpuExecutor>;

/** Where the executor is expected, relative to this file (.ts under tsx/vitest, .js once built). */
const EXECUTOR_MODULE = '../../src/runtime/webgpu/executor';

/** The executor's factory, or why there is none. */
async function bindExecutor(): Promise<{ create: CreateExecutor } | { reason: string }> {
  const base = fileURLToPath(new URL(EXECUTOR_MODULE, import.meta.url));
  if (!existsSync(`${base}.ts`) && !existsSync(`${base}.js`)) {
    return { reason: 'lpc WebGPU executor not available (src/runtime/webgpu/executor.ts does not exist yet)' };
  }
  let mod: Record<string, unknown>;
  try {
    // A computed specifier: the module may not exist when this file is type-checked.
    const specifier: string = `${EXECUTOR_MODULE}.js`;
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (e) {
    return { reason: `lpc WebGPU executor not available (src/runtime/webgpu/executor.ts failed to load: ${describeError(e)})` };
  }
  const create = mod.createExecutor;
  if (typeof create !== 'function') {
    return {
      reason: `lpc WebGPU executor not available (src/runtime/webgpu/executor.ts exports ${Object.keys(mod).join(', ') || 'nothing'}, not createExecutor; adapt bench/engines/lpc.ts bindExecutor)`,
    };
  }
  return { create: create as CreateExecutor };
}

export class LpcWebGpuEngine implements Engine {
  readonly id = 'lpc-webgpu';
  readonly side = 'lpc' as const;
  readonly compilesLazily = true;
  readonly description = "lpc's WebGPU executor (fused WGSL kernels) on the shared Dawn adapter";
  readonly waitStrategy = "the executor's own (src/runtime/webgpu/wait.ts awaitGpu: a timer sleep for 85% of the running estimate, then the WebGPU promise)";
  private create: CreateExecutor | undefined;
  private device: LpcDevice | undefined;

  async init(): Promise<string | undefined> {
    const bound = await bindExecutor();
    if ('reason' in bound) return bound.reason;
    try {
      this.device = await acquireDevice({ gpu: sharedGpu(), label: 'lpc-bench' });
    } catch (e) {
      return `no WebGPU device for lpc: ${describeError(e)}`;
    }
    this.create = bound.create;
    return undefined;
  }

  unsupported(): string | undefined {
    return undefined;
  }

  async prepare(job: BenchJob): Promise<Prepared> {
    const create = this.create;
    const device = this.device;
    if (!create || !device) throw new Error('lpc WebGPU engine used before a successful init()');
    const c = compileJob(job);
    let executor: LpcGpuExecutor;
    try {
      executor = await create(device, c.graph, c.weights);
    } catch (e) {
      throw new Error(describeError(e));
    }
    return {
      run: async () => {
        let outputs: ReadonlyMap<string, Tensor>;
        try {
          outputs = await executor.run(c.inputs);
        } catch (e) {
          throw new Error(describeError(e));
        }
        const out = outputs.get(c.outputName);
        if (!out) throw new Error(`the executor returned no output '${c.outputName}' (got ${[...outputs.keys()].join(', ') || 'none'})`);
        return { data: out.data, shape: out.shape, layout: 'nchw' };
      },
      dispose: async () => {
        executor.destroy();
      },
    };
  }

  async dispose(): Promise<void> {
    this.device?.destroy();
    this.device = undefined;
  }
}
