/**
 * Shared set-up of the WebGPU net tests: one LpcDevice (acquireDevice, the device the CLI uses;
 * skipped without an adapter like every GPU test, an error under LPC_REQUIRE_WEBGPU=1), one
 * pipeline cache for every net of the run (so equal kernels compile once), and helpers that take a
 * .lpnet source through the front end, the passes and the WGSL planner.
 */
import { expect } from 'vitest';
import { buildWgslProgram, type WgslProgram } from '../../../src/codegen/wgsl/program.js';
import type { Graph } from '../../../src/ir/graph.js';
import { lowerSource } from '../../../src/lower/front-end.js';
import { runPipeline, type CompileMode, type PipelineResult } from '../../../src/passes/pipeline.js';
import { acquireDevice, type LpcDevice } from '../../../src/runtime/webgpu/device.js';
import { PipelineCache } from '../../../src/runtime/webgpu/pipeline-cache.js';
import { getTestDevice } from '../../helpers/webgpu.js';

export interface NetHarness {
  device: LpcDevice;
  cache: PipelineCache;
}

let harness: Promise<NetHarness | undefined> | undefined;

export function netHarness(): Promise<NetHarness | undefined> {
  harness ??= (async () => {
    if (!(await getTestDevice())) return undefined;
    const device = await acquireDevice({ label: 'lpc tests' });
    return { device, cache: new PipelineCache(device.device) };
  })();
  return harness;
}

/** The one net of `source`, lowered; fails the test on any diagnostic. */
export function lowerNet(source: string, params: Record<string, string> = {}): Graph {
  const r = lowerSource(source, 'test.lpnet', { params });
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  expect(r.graphs).toHaveLength(1);
  return r.graphs[0];
}

export function planNet(g: Graph, mode: CompileMode = 'inference'): PipelineResult {
  const r = runPipeline(g, { mode });
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r;
}

/** The WGSL program of a planned graph; fails the test on any diagnostic. */
export function programOf(planned: PipelineResult, device: LpcDevice): WgslProgram {
  const r = buildWgslProgram(planned, device.wgsl);
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r.program!;
}
