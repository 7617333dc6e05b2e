import { DiagnosticError, error } from '../../diag/diagnostic.js';
import type { Attrs, Graph, Node, TensorType } from '../../ir/graph.js';
import { F32, codeRange, isFixed, type FixedType, type NumberType } from '../../numeric/number-type.js';
import type { Tensor } from '../../numeric/tensor.js';
import type { CpuContext, OpDef } from '../../ops/op-def.js';
import { getOp } from '../../ops/registry.js';
import { dataInputs, masterParam, paramInputs, QUANTIZE_OP } from '../../passes/op-info.js';
import { quantizeAttrs } from '../../passes/quantize-insertion.js';
import { RUNTIME_CODES } from '../codes.js';
import { nodeStream, outputEnforcementStream, paramQuantizerStream } from '../../ir/streams.js';
import { callForward } from './op-call.js';
import type { NodeTrace, RunOptions, Stage } from './trace.js';

/**
 * Runs one node of a pipelined graph on the CPU reference: its parameter quantizers, its op, its
 * epilogues (fusion), each through the registry's op, and records every stage for backward.
 *
 * Two rules make fixed-point types hold even where the pipeline left them implicit:
 * - a parameter read as the f32 master while the node declares a fixed `weights:` / `bias:` type
 *   (a graph that skipped quantize insertion) is rounded like a fusion ParamQuantizer;
 * - a fixed-typed output whose values are not all codes of the type (a graph that skipped
 *   quantize insertion, or dropout's training scale) is rounded to the type (streams.ts).
 * On a graph from the pipeline with ops that keep their types, neither adds a stage.
 */
export function runNode(graph: Graph, node: Node, index: number, values: ReadonlyMap<string, Tensor>, opts: RunOptions): NodeTrace {
  const op = lookupOp(node.op, node);
  const outValue = graph.values.get(node.outputs[0]);
  if (node.outputs.length !== 1 || !outValue) {
    throw opFailure(node, `node '${node.id}' must have exactly one output value known to the graph`);
  }
  const ctxFor = (stream: number): CpuContext => ({ training: opts.training, seed: opts.seed, step: opts.step, stream });
  const tensorOf = (id: string): Tensor => {
    const t = values.get(id);
    if (!t) throw opFailure(node, `value '${id}' read by node '${node.id}' has not been computed`);
    return t;
  };
  const typeOf = (id: string): TensorType => graph.values.get(id)?.type ?? { dtype: F32, shape: tensorOf(id).shape };

  const dataIds = dataInputs(graph, node);
  const paramIds = paramInputs(graph, node);
  const inputs = dataIds.map(tensorOf);
  const inputTypes = dataIds.map(typeOf);

  const params: NodeTrace['params'] = [];
  const paramTensors: Tensor[] = [];
  const paramTypes: NumberType[] = [];
  paramIds.forEach((id, p) => {
    const master = tensorOf(id);
    const target = ownQuantizerOf(graph, node, id);
    if (!target) {
      params.push({ id });
      paramTensors.push(master);
      paramTypes.push(typeOf(id).dtype);
      return;
    }
    const quantizer = runStage(
      lookupOp(QUANTIZE_OP, node),
      {
        inputs: [master],
        params: [],
        attrs: target.attrs,
        inputTypes: [typeOf(id)],
        paramTypes: [],
        outType: { dtype: target.type, shape: [...master.shape] },
        ctx: ctxFor(paramQuantizerStream(index, p)),
      },
      node,
      `${id}.q`,
    );
    params.push({ id, quantizer });
    paramTensors.push(quantizer.output);
    paramTypes.push(target.type);
  });

  const epilogues = node.epilogue ?? [];
  const finalType = outValue.type;
  const shapeOut = finalType.shape;
  const stages: Stage[] = [];
  // Fusion records each epilogue's input and output types; older graphs fall back to inference.
  const ownType =
    epilogues.length === 0 ? finalType : { dtype: epilogues[0].inType ?? op.inferType?.(inputTypes, node.attrs) ?? F32, shape: [...shapeOut] };
  stages.push(
    runStage(
      op,
      {
        inputs,
        params: paramTensors,
        attrs: node.attrs,
        inputTypes,
        paramTypes,
        outType: ownType,
        ctx: ctxFor(nodeStream(index)),
        accumulate: node.accumulator?.kind === 'i32' ? 'exact' : 'f32',
      },
      node,
      node.id,
    ),
  );
  epilogues.forEach((e, k) => {
    const eop = lookupOp(e.op, node);
    const prev = stages[stages.length - 1];
    const attrs: Attrs = e.op === QUANTIZE_OP && e.type && e.attrs.to === undefined ? { ...e.attrs, to: e.type } : e.attrs;
    const inType = prev.args.outType;
    const outType = k === epilogues.length - 1 ? finalType : { dtype: e.type ?? eop.inferType?.([inType], attrs) ?? F32, shape: [...shapeOut] };
    stages.push(
      runStage(eop, { inputs: [prev.output], params: [], attrs, inputTypes: [inType], paramTypes: [], outType, ctx: ctxFor(nodeStream(index)) }, node, e.from),
    );
  });

  const last = stages[stages.length - 1];
  if (isFixed(finalType.dtype) && !allCodesOf(last.output.data, finalType.dtype)) {
    stages.push(
      runStage(
        lookupOp(QUANTIZE_OP, node),
        {
          inputs: [last.output],
          params: [],
          attrs: quantizeAttrs(finalType.dtype),
          inputTypes: [{ dtype: F32, shape: [...shapeOut] }],
          paramTypes: [],
          outType: finalType,
          ctx: ctxFor(outputEnforcementStream(index)),
        },
        node,
        `${node.id} (output type)`,
      ),
    );
  }
  return { node, index, dataInputIds: dataIds, params, stages };
}

/** The quantizer a node applies to a parameter itself: fusion's ParamQuantizer, or a declared type left implicit. */
function ownQuantizerOf(graph: Graph, node: Node, id: string): { type: FixedType; attrs: Attrs } | undefined {
  const q = node.paramQuantizers?.find((p) => p.param === id);
  if (q && isFixed(q.type)) return { type: q.type, attrs: q.attrs.to === undefined ? { ...q.attrs, to: q.type } : q.attrs };
  const v = graph.values.get(id);
  const slot = masterParam(graph, id)?.param?.slot;
  if (v?.role !== 'param' || (slot !== 'weights' && slot !== 'bias')) return undefined;
  const declared = node.types[slot];
  if (declared && isFixed(declared)) return { type: declared, attrs: quantizeAttrs(declared) };
  return undefined;
}

function runStage(op: OpDef, args: Stage['args'], node: Node, label: string): Stage {
  const output = callForward(op, args, node, label);
  const expected = args.outType.shape;
  if (output.shape.length !== expected.length || output.shape.some((d, i) => d !== expected[i]) || output.data.length !== output.shape.reduce((a, b) => a * b, 1)) {
    throw opFailure(node, `op '${op.name}' (${label}) returned shape [${output.shape.join(', ')}], the graph declares [${expected.join(', ')}]`);
  }
  return { op, args, output, label };
}

/** Whether every value is a code of the type (k * 2^-F with k in range): then rounding changes nothing. */
export function allCodesOf(data: Float64Array, t: FixedType): boolean {
  const { kmin, kmax } = codeRange(t);
  const scale = 2 ** t.fracBits;
  for (let i = 0; i < data.length; i++) {
    const k = data[i] * scale;
    if (!Number.isInteger(k) || k < kmin || k > kmax) return false;
  }
  return true;
}

export function lookupOp(name: string, node: Node): OpDef {
  const op = getOp(name);
  if (!op) {
    throw new DiagnosticError([
      error(RUNTIME_CODES.EXEC_UNKNOWN_OP, `node '${node.id}' uses op '${name}', which this build of lpc does not know`, node.span, {
        hint: 'the graph was built by another version of lpc; build it again from the source',
      }),
    ]);
  }
  return op;
}

function opFailure(node: Node, message: string): DiagnosticError {
  return new DiagnosticError([error(RUNTIME_CODES.EXEC_OP_FAILED, message, node.span, { hint: 'this is a bug in lpc; please report it with the net and the command that trigger it' })]);
}
