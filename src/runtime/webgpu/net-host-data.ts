import type { WgslProgram } from '../../codegen/wgsl/program-types.js';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Tensor } from '../../numeric/tensor.js';
import { RUNTIME_CODES } from '../codes.js';
import { resolveParams, shapeProblem } from '../graph-tensors.js';
import { WEBGPU_CODES } from './codes.js';
import { encodeValues } from './host-packing.js';

/** The words of every parameter tensor of the program, or the diagnostics of what is missing or misshapen. */
export function parameterWords(program: WgslProgram, weights: ReadonlyMap<string, Tensor>): { words: Map<string, Uint32Array>; diagnostics: Diagnostic[] } {
  const graph = program.graph;
  const diagnostics: Diagnostic[] = [];
  const masters = resolveParams(graph, weights, diagnostics);
  const words = new Map<string, Uint32Array>();
  if (diagnostics.length > 0) return { words, diagnostics };
  for (const t of program.tensors.values()) {
    if (t.role !== 'param' || !t.stored) continue;
    words.set(t.id, encodeValues(masters.get(t.stored.param)!.data, t.type));
  }
  return { words, diagnostics };
}

/** The words of every graph input, or the diagnostics of what is missing, misshapen or not storable. */
export function inputWords(program: WgslProgram, inputs: ReadonlyMap<string, Tensor>): { words: Map<string, Uint32Array>; diagnostics: Diagnostic[] } {
  const graph = program.graph;
  const words = new Map<string, Uint32Array>();
  const diagnostics: Diagnostic[] = [];
  for (const id of program.inputs) {
    const t = inputs.get(id);
    if (!t) {
      diagnostics.push(error(RUNTIME_CODES.EXEC_MISSING_INPUT, `no data for input '${id}'`, graph.values.get(id)?.span, { hint: 'pass a tensor for every net input' }));
      continue;
    }
    const problem = shapeProblem(graph, id, t);
    if (problem) {
      diagnostics.push(problem);
      continue;
    }
    const type = program.tensors.get(id)!.type;
    try {
      words.set(id, encodeValues(t.data, type));
    } catch (e) {
      diagnostics.push(
        error(WEBGPU_CODES.INPUT_NOT_STORABLE, `input '${id}' cannot be stored as ${type.kind}: ${e instanceof Error ? e.message : String(e)}`, graph.values.get(id)?.span, {
          hint: 'labels are whole numbers; check the input data',
        }),
      );
    }
  }
  return { words, diagnostics };
}
