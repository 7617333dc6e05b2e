import type { WgslProgram } from '../../codegen/wgsl/program-types.js';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../numeric/tensor.js';
import { applyParamTransforms } from '../../passes/param-transforms.js';
import { RUNTIME_CODES } from '../codes.js';
import { WEBGPU_CODES } from './codes.js';
import { encodeValues } from './host-packing.js';

/**
 * The host side of a WebGPU net's data: weights and inputs as the storage words of their device
 * tensors. Parameters are stored in the type the program chose (program-tensors.ts): at inference
 * a typed parameter is rounded here, once, with the reference quantizer (a stochastic type rounds
 * with `nearest`, the inference rule, exactly as the CPU reference's quantize op does at
 * inference) and packed at its width; f32 masters are uploaded as they are.
 *
 * Weights may hold either the planned graph's parameters or the stored ones a parameter
 * transform (batch-norm folding) reads; the transforms are applied first, as the CPU executor does.
 */

function shapeProblem(graph: Graph, id: string, t: Tensor): Diagnostic | undefined {
  const want = graph.values.get(id)?.type.shape;
  if (!want) return undefined;
  const count = want.reduce((a, b) => a * b, 1);
  if (t.shape.length === want.length && t.shape.every((d, i) => d === want[i]) && t.data.length === count) return undefined;
  return error(
    RUNTIME_CODES.EXEC_BAD_TENSOR_SHAPE,
    `'${id}' was given a tensor of shape [${t.shape.join(', ')}] (${t.data.length} values); the graph declares [${want.join(', ')}]`,
    graph.values.get(id)?.span,
    { hint: 'pass tensors of the declared shapes' },
  );
}

/** The words of every parameter tensor of the program, or the diagnostics of what is missing or misshapen. */
export function parameterWords(program: WgslProgram, weights: ReadonlyMap<string, Tensor>): { words: Map<string, Uint32Array>; diagnostics: Diagnostic[] } {
  const graph = program.graph;
  const diagnostics: Diagnostic[] = [];
  let source: ReadonlyMap<string, Tensor> = weights;
  if ((graph.paramTransforms?.length ?? 0) > 0 && graph.params.some((id) => !weights.has(id))) source = applyParamTransforms(graph, weights).params;
  const masters = new Map<string, Tensor>();
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
    else masters.set(id, t);
  }
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
