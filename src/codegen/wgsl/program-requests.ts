import { DiagnosticError, error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Attrs, Graph, Node } from '../../ir/graph.js';
import { nodeStream, paramQuantizerStream } from '../../ir/streams.js';
import { F32, isFixed, type FixedType, type NumberType } from '../../numeric/number-type.js';
import type { OpDef } from '../../ops/op-def.js';
import { dataInputs, paramInputs, QUANTIZE_OP } from '../../passes/op-info.js';
import { CODEGEN_CODES } from '../codes.js';
import type { WgslCapabilities } from './lib/capabilities.js';
import type { ElementwiseStage, KernelRequest, KernelTensor } from './lib/kernel.js';
import type { ProgramTensor } from './program-types.js';
import { nodeParamQuantizer, type TensorTable } from './program-tensors.js';

/**
 * The KernelRequest of one node of a planned graph, built so that the kernel computes what the
 * CPU executor computes for the same node (src/runtime/cpu/node-stages.ts):
 *  - streams as the CPU assigns them (src/ir/streams.ts): the node's own draws and its epilogues
 *    use the node's index, the p-th parameter quantizer `index | (p + 1) << 24`;
 *  - parameters as stored (program-tensors.ts): pre-rounded at inference, so no quantizer; the f32
 *    master and its quantizer in training;
 *  - the epilogue: each fused op's elementwise form, with the quantize stage's target filled in
 *    from the epilogue's type as the CPU executor does;
 *  - the i32-exact accumulation where the accumulator analysis chose i32.
 */
export type OpLookup = (name: string) => OpDef | undefined;

export interface RequestContext {
  graph: Graph;
  node: Node;
  index: number;
  table: TensorTable;
  capabilities: WgslCapabilities;
  training: boolean;
  lookup: OpLookup;
}

function kernelTensor(t: ProgramTensor): KernelTensor {
  return t.chunking ? { id: t.id, type: t.type, shape: t.shape, chunking: { ...t.chunking } } : { id: t.id, type: t.type, shape: t.shape };
}

/** The device tensor a node reads for input `id` (a parameter's stored variant, or the value itself). */
function deviceTensorFor(ctx: RequestContext, id: string): ProgramTensor {
  const v = ctx.graph.values.get(id);
  const tid = v?.role === 'param' ? ctx.table.paramTensor(ctx.node, id) : id;
  const t = ctx.table.tensors.get(tid);
  if (!t) throw new Error(`internal: no device tensor for '${id}' read by node '${ctx.node.id}'`);
  return t;
}

export function epilogueStages(ctx: RequestContext): { stages: ElementwiseStage[]; diagnostics: Diagnostic[] } {
  const stages: ElementwiseStage[] = [];
  const diagnostics: Diagnostic[] = [];
  const { node } = ctx;
  let inType: NumberType = node.epilogue?.[0]?.inType ?? F32;
  (node.epilogue ?? []).forEach((e, k) => {
    const eop = ctx.lookup(e.op);
    const attrs: Attrs = e.op === QUANTIZE_OP && e.type && e.attrs.to === undefined ? { ...e.attrs, to: e.type } : e.attrs;
    const elementwise = eop?.wgsl?.elementwise;
    if (!elementwise) {
      diagnostics.push(
        error(CODEGEN_CODES.NO_ELEMENTWISE_KERNEL, `layer '${node.id}' fuses '${e.op}' (from '${e.from}') after its ${node.op}, and '${e.op}' has no elementwise WGSL form`, node.span, {
          hint: 'run the net with `--backend cpu`; please report the net',
        }),
      );
      return;
    }
    const stageIn = e.inType ?? inType;
    try {
      stages.push(elementwise(attrs, stageIn, { training: ctx.training, stream: nodeStream(ctx.index), rngPrefix: `ep${k}` }));
    } catch (err) {
      diagnostics.push(...generatorFailure(err, node, `the elementwise form of '${e.op}'`));
    }
    inType = e.type ?? stageIn;
  });
  return { stages, diagnostics };
}

export function buildRequest(ctx: RequestContext): { request?: KernelRequest; diagnostics: Diagnostic[] } {
  const { graph, node, index } = ctx;
  const epilogue = epilogueStages(ctx);
  if (epilogue.diagnostics.length > 0) return { diagnostics: epilogue.diagnostics };

  const paramQuantizers: (FixedType | undefined)[] = [];
  const paramQuantizerStreams: (number | undefined)[] = [];
  const params = paramInputs(graph, node).map((id, p) => {
    const q = ctx.training && graph.values.get(id)?.role === 'param' ? nodeParamQuantizer(graph, node, id) : undefined;
    const fixedQ = q && isFixed(q) ? q : undefined;
    paramQuantizers.push(fixedQ);
    paramQuantizerStreams.push(fixedQ?.round === 'stochastic' ? paramQuantizerStream(index, p) : undefined);
    return kernelTensor(deviceTensorFor(ctx, id));
  });
  const output = ctx.table.tensors.get(node.outputs[0]);
  if (!output) throw new Error(`internal: no device tensor for the output '${node.outputs[0]}' of node '${node.id}'`);

  const request: KernelRequest = {
    capabilities: ctx.capabilities,
    node: node.id,
    inputs: dataInputs(graph, node).map((id) => kernelTensor(deviceTensorFor(ctx, id))),
    params,
    paramQuantizers,
    paramQuantizerStreams,
    output: kernelTensor(output),
    attrs: node.attrs,
    epilogue: epilogue.stages,
    accumulate: node.accumulator?.kind === 'i32' ? 'exact' : 'f32',
    training: ctx.training,
    stream: nodeStream(index),
  };
  return { request, diagnostics: [] };
}

/** What a generator threw, as diagnostics at the node: its own diagnostics pass through, anything else is a bug report. */
export function generatorFailure(err: unknown, node: Node, what: string): Diagnostic[] {
  if (err instanceof DiagnosticError) {
    return err.diagnostics.map((d) => ({ ...d, span: d.span ?? node.span, notes: [...d.notes, { message: `while generating the kernel of layer '${node.id}' (${node.op})` }] }));
  }
  const reason = err instanceof Error ? err.message : String(err);
  return [
    error(CODEGEN_CODES.KERNEL_GENERATOR_FAILED, `${what} failed on layer '${node.id}': ${reason}`, node.span, {
      hint: 'this is a bug in lpc; please report it with the net; `--backend cpu` runs the net meanwhile',
    }),
  ];
}

/** The op of a node, or a diagnostic when it has no WGSL kernel. */
export function kernelOpOf(node: Node, lookup: OpLookup): { op?: OpDef; diagnostic?: Diagnostic } {
  const op = lookup(node.op);
  if (op?.wgsl) return { op };
  return {
    diagnostic: error(CODEGEN_CODES.NO_KERNEL, `layer '${node.id}' uses op '${node.op}', which has no WGSL kernel in this build of lpc`, node.span, {
      hint: 'run the net with `--backend cpu`',
    }),
  };
}
