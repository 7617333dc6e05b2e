import { error, type Diagnostic } from '../diag/diagnostic.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../numeric/tensor.js';
import { applyParamTransforms } from '../passes/param-transforms.js';
import { RUNTIME_CODES } from './codes.js';

/**
 * Host-side checks both backends share: a tensor given for a graph value must have the declared
 * shape, and every parameter must have weights (computing transformed ones, such as batch-norm
 * folding, from the stored tensors when the graph asks for them).
 */
export function shapeProblem(graph: Graph, id: string, t: Tensor): Diagnostic | undefined {
  const v = graph.values.get(id);
  if (!v) return undefined;
  const want = v.type.shape;
  const count = want.reduce((a, b) => a * b, 1);
  if (t.shape.length === want.length && t.shape.every((d, i) => d === want[i]) && t.data.length === count) return undefined;
  return error(
    RUNTIME_CODES.EXEC_BAD_TENSOR_SHAPE,
    `'${id}' was given a tensor of shape [${t.shape.join(', ')}] (${t.data.length} values); the graph declares [${want.join(', ')}]`,
    v.span,
    { hint: 'pass tensors of the declared shapes' },
  );
}

/** The graph's parameters from `weights`; each missing or misshapen one adds a diagnostic and is left out. */
export function resolveParams(graph: Graph, weights: ReadonlyMap<string, Tensor>, diagnostics: Diagnostic[]): Map<string, Tensor> {
  let source: ReadonlyMap<string, Tensor> = weights;
  if ((graph.paramTransforms?.length ?? 0) > 0 && graph.params.some((id) => !weights.has(id))) {
    source = applyParamTransforms(graph, weights).params;
  }
  const out = new Map<string, Tensor>();
  for (const id of graph.params) {
    const t = source.get(id);
    if (!t) {
      diagnostics.push(
        error(RUNTIME_CODES.EXEC_MISSING_PARAM, `no weights for parameter '${id}'`, graph.values.get(id)?.span, {
          hint: 'load weights for every parameter, or initialise them from the fillers (initWeights)',
        }),
      );
      continue;
    }
    const problem = shapeProblem(graph, id, t);
    if (problem) diagnostics.push(problem);
    else out.set(id, t);
  }
  return out;
}
