import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { didYouMean } from '../../diag/suggest.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../numeric/tensor.js';
import { RUNTIME_CODES } from '../../runtime/codes.js';
import { readInputFile } from '../../runtime/data/input-file.js';
import { randomInput } from '../../runtime/data/random-inputs.js';
import type { CliIO } from '../io.js';
import { fromCwd, parsePairs } from './load-net.js';

export interface GatheredInputs {
  inputs: Map<string, Tensor>;
  /** Inputs filled with random data (no --input for them). */
  random: string[];
  notes: string[];
  diagnostics: Diagnostic[];
}

/**
 * The tensors for a net's inputs: from `--input name=PATH` files (IDX, gzip, raw f32), or random
 * with the seed for those not given. Every problem is collected, so a user sees all of them.
 */
export function gatherInputs(graph: Graph, specs: readonly string[], opts: { seed: number; scale?: number }, io: CliIO): GatheredInputs {
  const out: GatheredInputs = { inputs: new Map(), random: [], notes: [], diagnostics: [] };
  const parsed = parsePairs(specs, '--input', RUNTIME_CODES.INPUT_BAD_SPEC);
  if ('diagnostic' in parsed) {
    out.diagnostics.push(parsed.diagnostic);
    return out;
  }
  const files = new Map<string, string>();
  for (const [name, path] of parsed.pairs) {
    if (!graph.inputs.includes(name)) {
      out.diagnostics.push(
        error(RUNTIME_CODES.INPUT_UNKNOWN, `--input ${name}=${path}: net '${graph.name}' has no input '${name}'`, undefined, {
          hint: didYouMean(name, graph.inputs) ?? `its inputs are ${graph.inputs.join(', ')}`,
        }),
      );
      continue;
    }
    if (files.has(name)) {
      out.diagnostics.push(error(RUNTIME_CODES.INPUT_DUPLICATE, `input '${name}' is given twice (${files.get(name)} and ${path})`, undefined, { hint: 'give each input once' }));
      continue;
    }
    files.set(name, path);
  }
  for (const id of graph.inputs) {
    const value = graph.values.get(id);
    if (!value) continue;
    const path = files.get(id);
    if (path === undefined) {
      out.inputs.set(id, randomInput(graph, value, opts.seed));
      out.random.push(id);
      continue;
    }
    const r = readInputFile(fromCwd(io, path), value, { scale: opts.scale, shown: path });
    out.diagnostics.push(...r.diagnostics);
    out.notes.push(...r.notes);
    if (r.tensor) out.inputs.set(id, r.tensor);
  }
  return out;
}
