import type { Graph } from '../../../src/ir/graph.js';
import { lowerSource } from '../../../src/lower/front-end.js';
import { runPipeline, type PipelineResult } from '../../../src/passes/pipeline.js';
import type { Tensor } from '../../../src/numeric/tensor.js';

/** Lowers a one-net source text, failing the test with the diagnostics when it does not check. */
export function lowerNet(text: string, file = 'test.lpnet'): Graph {
  const r = lowerSource(text, file);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || r.graphs.length !== 1) {
    throw new Error(`net did not lower:\n${r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  }
  return r.graphs[0];
}

export function pipelined(g: Graph, mode: 'inference' | 'training'): PipelineResult {
  const r = runPipeline(g, { mode });
  if (!r.ok) throw new Error(`pipeline failed:\n${r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  return r;
}

export function tensor(shape: number[], values: number[]): Tensor {
  return { shape, data: Float64Array.from(values, Math.fround) };
}
