import type { Graph, Value } from '../../ir/graph.js';

/**
 * The parameters a weights file holds for a graph, in a stable order: the graph's own
 * parameters, except those an inference-time rewrite computes at load time (ParamTransform
 * `writes`, e.g. a conv's weights after batch-norm folding), plus the stored parameters those
 * rewrites read (the original conv weights, the batch-norm statistics). For a graph straight from
 * the front end this is exactly `graph.params`, so one file serves both.
 */
export function storedParams(graph: Graph): Value[] {
  const written = new Set<string>();
  const out: Value[] = [];
  const seen = new Set<string>();
  for (const t of graph.paramTransforms ?? []) for (const id of Object.values(t.writes)) written.add(id);
  for (const id of graph.params) {
    const v = graph.values.get(id);
    if (!v || written.has(id) || seen.has(id)) continue;
    seen.add(id);
    out.push(v);
  }
  for (const t of graph.paramTransforms ?? []) {
    for (const v of Object.values(t.reads)) {
      if (seen.has(v.id)) continue;
      seen.add(v.id);
      out.push(v);
    }
  }
  return out;
}
