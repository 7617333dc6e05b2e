import { buildWgslProgram } from '../../codegen/wgsl/program.js';
import { DiagnosticError, type Diagnostic } from '../../diag/diagnostic.js';
import type { Tensor } from '../../numeric/tensor.js';
import type { PipelineResult } from '../../passes/pipeline.js';
import { describeCapabilities } from '../../runtime/webgpu/capabilities.js';
import { tryAcquireDevice, type AcquireOptions, type LpcDevice } from '../../runtime/webgpu/device.js';
import { tunedConfigs } from '../../runtime/webgpu/tune/config-for.js';
import { createWebgpuNet, type WebgpuNet, type WebgpuRunOptions, type WebgpuRunResult } from '../../runtime/webgpu/executor.js';

/**
 * What `run` and `diff` share about the webgpu backend: getting a device (when there is none the
 * diagnostic says what to install and that `--backend cpu` exists: the command stops there and
 * never falls back on its own), building the net's WGSL program for that device, creating the net
 * and running it once. The device and the net are destroyed before returning.
 */
export interface WebgpuRunOutcome {
  result?: WebgpuRunResult;
  /** First line of the adapter description, for the command's report. */
  adapter?: string;
  diagnostics: Diagnostic[];
}

export async function runOnWebgpu(
  planned: PipelineResult,
  weights: ReadonlyMap<string, Tensor>,
  inputs: ReadonlyMap<string, Tensor>,
  opts: WebgpuRunOptions,
  acquire: AcquireOptions = {},
  /** A tuning cache (`lpc tune`): its choices for this device's adapter are used where it has them. */
  tuneCache?: string,
): Promise<WebgpuRunOutcome> {
  const got = await tryAcquireDevice({ label: 'lpc run', ...acquire });
  if (!got.ok) return { diagnostics: got.diagnostics };
  const device: LpcDevice = got.device;
  const adapter = describeCapabilities(device.capabilities).split('\n')[0].replace(/^adapter: /, '');
  let net: WebgpuNet | undefined;
  try {
    const tuned = tuneCache !== undefined ? tunedConfigs(tuneCache, device.capabilities.adapter) : { diagnostics: [] };
    const built = buildWgslProgram(planned, device.wgsl, { configFor: tuned.configFor });
    if (!built.program) return { adapter, diagnostics: [...tuned.diagnostics, ...built.diagnostics] };
    net = await createWebgpuNet(device, built.program, weights);
    const result = await net.run(inputs, opts);
    return { result, adapter, diagnostics: [...tuned.diagnostics, ...built.diagnostics] };
  } catch (e) {
    if (e instanceof DiagnosticError) return { adapter, diagnostics: e.diagnostics };
    throw e;
  } finally {
    net?.destroy();
    device.destroy();
  }
}
