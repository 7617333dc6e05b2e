import type { Graph } from '../../ir/graph.js';
import { DiagnosticError, error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Tensor } from '../../numeric/tensor.js';
import { RUNTIME_CODES } from '../codes.js';
import { resolveParams, shapeProblem } from '../graph-tensors.js';
import { runNode } from './node-stages.js';
import type { ForwardResult, NodeTrace, RunOptions } from './trace.js';

export type { ForwardResult, NodeTrace, RunOptions, Stage } from './trace.js';
export { runBackward, type BackwardResult } from './backward.js';

/**
 * The CPU reference executor: runs a graph that went through the pipeline, node by node in graph
 * order, with each op's CPU forward (the oracle the WGSL backend is tested against).
 *
 * - `weights` holds a tensor per graph parameter (master copies, f32). For a graph whose
 *   batch-norm folding recorded parameter transforms, it may instead hold the stored parameters
 *   (by their original ids); the transforms are applied first.
 * - `inputs` holds a tensor per graph input, by input id.
 * - Random draws (stochastic rounding, dropout) are keyed by (opts.seed, opts.step, stream), the
 *   stream being the node's index in graph.nodes (streams.ts documents every stream id).
 * Every problem (a missing or misshapen tensor, a label out of range, an op failing) is thrown as
 * a DiagnosticError; nothing else escapes.
 */
export function runForward(
  graph: Graph,
  weights: ReadonlyMap<string, Tensor>,
  inputs: ReadonlyMap<string, Tensor>,
  opts: RunOptions,
): ForwardResult {
  const values = new Map<string, Tensor>();
  const diagnostics: Diagnostic[] = [];
  for (const id of graph.inputs) {
    const t = inputs.get(id);
    if (!t) {
      diagnostics.push(error(RUNTIME_CODES.EXEC_MISSING_INPUT, `no data for input '${id}'`, graph.values.get(id)?.span, { hint: 'pass a tensor for every net input' }));
      continue;
    }
    const problem = shapeProblem(graph, id, t);
    if (problem) diagnostics.push(problem);
    else values.set(id, t);
  }
  const params = resolveParams(graph, weights, diagnostics);
  for (const [id, t] of params) values.set(id, t);
  if (diagnostics.length > 0) throw new DiagnosticError(diagnostics);

  const traces = new Map<string, NodeTrace>();
  graph.nodes.forEach((node, index) => {
    const trace = runNode(graph, node, index, values, opts);
    values.set(node.outputs[0], trace.stages[trace.stages.length - 1].output);
    traces.set(node.id, trace);
  });

  const pick = (named: { name: string; value: string }[]) => {
    const m = new Map<string, Tensor>();
    for (const o of named) {
      const t = values.get(o.value);
      if (t) m.set(o.name, t);
    }
    return m;
  };
  return { values, outputs: pick(graph.outputs), losses: pick(graph.losses), traces, options: { ...opts } };
}

