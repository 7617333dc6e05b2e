import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../numeric/tensor.js';
import { initWeights } from '../../runtime/cpu/init-weights.js';
import { loadWeightsFile } from '../../runtime/weights/match-weights.js';
import { fromCwd, printDiagnostics, type Reporter } from './load-net.js';

/**
 * The weights `run` and `diff` use: a .lpw file (--weights), or random ones from the fillers with
 * the seed, saying so. Prints the diagnostics of a file that does not match the net.
 */
export function loadWeights(graph: Graph, opts: { weights?: string; seed: number }, reporter: Reporter): Map<string, Tensor> | undefined {
  const { io } = reporter;
  if (opts.weights === undefined) {
    io.err(`weights: none given, so random ones from the fillers (seed ${opts.seed}); pass --weights W.lpw for trained weights`);
    return initWeights(graph, opts.seed);
  }
  const r = loadWeightsFile(graph, fromCwd(io, opts.weights), opts.weights);
  printDiagnostics(reporter, r.diagnostics);
  return r.weights;
}
