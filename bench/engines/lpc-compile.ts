/**
 * The front half shared by lpc's engines: a job's .lpnet source lowered (src/lower/front-end.ts),
 * run through the inference pipeline (src/passes/pipeline.ts), and the bench's weights and input
 * as lpc tensors.
 */
import { DiagnosticError, type Diagnostic } from '../../src/diag/diagnostic.js';
import { renderOneLine } from '../../src/diag/render.js';
import type { Graph } from '../../src/ir/graph.js';
import { lowerSource } from '../../src/lower/front-end.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { runPipeline, type PipelineResult } from '../../src/passes/pipeline.js';
import { lpcWeights } from '../weights.js';
import type { BenchJob } from './engine.js';

export interface CompiledJob {
  /** The graph after the inference pipeline (fused, dropout removed). */
  graph: Graph;
  pipeline: PipelineResult;
  weights: Map<string, Tensor>;
  inputs: Map<string, Tensor>;
  outputName: string;
}

function failure(what: string, diagnostics: readonly Diagnostic[]): Error {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  return new Error(`${what}: ${errors.length} error(s), first: ${errors.length ? renderOneLine(errors[0]) : 'none reported'}`);
}

export function compileJob(job: BenchJob): CompiledJob {
  const src = job.model.lpnet[job.precision];
  const lowered = lowerSource(src.text, src.file, { net: src.net, params: src.params, files: src.files });
  const graph = lowered.graphs[0];
  if (!graph || lowered.diagnostics.some((d) => d.severity === 'error')) throw failure(`lowering ${src.file} (net ${src.net})`, lowered.diagnostics);
  const pipeline = runPipeline(graph, { mode: 'inference' });
  if (!pipeline.ok) throw failure(`the inference pipeline on ${src.net}`, pipeline.diagnostics);
  if (graph.inputs.length !== 1) throw new Error(`${src.net} has ${graph.inputs.length} inputs; the bench feeds one`);
  const inputId = graph.inputs[0];
  const input: Tensor = { shape: [...job.model.inputShape], data: Float64Array.from(job.input) };
  return {
    graph: pipeline.graph,
    pipeline,
    weights: lpcWeights(graph, job.weights),
    inputs: new Map([[inputId, input]]),
    outputName: job.model.outputName,
  };
}

/** A DiagnosticError's diagnostics as one message (for errors thrown by lpc's runtimes). */
export function describeError(e: unknown): string {
  if (e instanceof DiagnosticError) return e.diagnostics.map(renderOneLine).join('; ');
  return e instanceof Error ? e.message : String(e);
}
