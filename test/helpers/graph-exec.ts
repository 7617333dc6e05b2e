/**
 * A small reference interpreter for pass tests: runs a (planned) graph forward with the ops' CPU
 * reference, and walks a BackwardPlan with the ops' CPU backward, following docs/ir.md: fused
 * nodes quantize their parameters (ParamQuantizer) and apply their epilogues in order; a fused
 * node's backward recomputes the epilogue chain from the anchor's result and runs it in reverse.
 * It is test code, written for clarity: the runtime has its own executor.
 */
import type { Graph, Node, TensorType } from '../../src/ir/graph.js';
import { F32, type NumberType } from '../../src/numeric/number-type.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import type { CpuContext, OpDef } from '../../src/ops/op-def.js';
import { getOp } from '../../src/ops/registry.js';
import type { BackwardPlan } from '../../src/passes/autodiff.js';
import { dataInputs, paramInputs } from '../../src/passes/op-info.js';

export interface ForwardState {
  values: Map<string, Tensor>;
  /** Per fused node: the anchor's own result before its epilogues. */
  pre: Map<string, Tensor>;
}

function opNamed(name: string): OpDef {
  const op = getOp(name);
  if (!op) throw new Error(`no op '${name}'`);
  return op;
}

function typeOf(g: Graph, id: string): TensorType {
  const v = g.values.get(id);
  if (!v) throw new Error(`no value '${id}'`);
  return v.type;
}

/** The parameter tensors a node computes with: quantized by its ParamQuantizers where it has them. */
function nodeParams(g: Graph, n: Node, values: Map<string, Tensor>, ctx: CpuContext): { params: Tensor[]; types: NumberType[] } {
  const params: Tensor[] = [];
  const types: NumberType[] = [];
  for (const id of paramInputs(g, n)) {
    const t = values.get(id);
    if (!t) throw new Error(`no tensor for '${id}'`);
    const q = n.paramQuantizers?.find((p) => p.param === id);
    if (q) {
      const op = opNamed('quantize');
      params.push(op.cpu.forward({ inputs: [t], params: [], attrs: q.attrs, inputTypes: [typeOf(g, id)], paramTypes: [], outType: { dtype: q.type, shape: t.shape }, ctx }));
      types.push(q.type);
    } else {
      params.push(t);
      types.push(typeOf(g, id).dtype);
    }
  }
  return { params, types };
}

function anchorArgs(g: Graph, n: Node, values: Map<string, Tensor>, ctx: CpuContext) {
  const ins = dataInputs(g, n);
  const { params, types } = nodeParams(g, n, values, ctx);
  const out = typeOf(g, n.outputs[0]);
  const outType: TensorType = n.epilogue?.length ? { dtype: n.epilogue[0].inType ?? F32, shape: out.shape } : out;
  return {
    inputs: ins.map((i) => values.get(i)!),
    params,
    attrs: n.attrs,
    inputTypes: ins.map((i) => typeOf(g, i)),
    paramTypes: types,
    outType,
    ctx,
    accumulate: n.accumulator?.kind === 'i32' ? ('exact' as const) : ('f32' as const),
  };
}

/** Each epilogue's input and output tensors, recomputed from the anchor's result. */
function runEpilogue(n: Node, pre: Tensor, ctx: CpuContext): { input: Tensor; output: Tensor }[] {
  const steps: { input: Tensor; output: Tensor }[] = [];
  let cur = pre;
  for (const e of n.epilogue ?? []) {
    const op = opNamed(e.op);
    const args = {
      inputs: [cur],
      params: [],
      attrs: e.attrs,
      inputTypes: [{ dtype: e.inType ?? F32, shape: cur.shape }],
      paramTypes: [],
      outType: { dtype: e.type ?? F32, shape: cur.shape },
      ctx,
    };
    const output = op.cpu.forward(args);
    steps.push({ input: cur, output });
    cur = output;
  }
  return steps;
}

export function runForward(g: Graph, feeds: Map<string, Tensor>, ctxIn: Partial<CpuContext> = {}): ForwardState {
  const values = new Map(feeds);
  const pre = new Map<string, Tensor>();
  g.nodes.forEach((n, i) => {
    const ctx: CpuContext = { training: false, seed: 1, step: 0, stream: i, ...ctxIn };
    const args = anchorArgs(g, n, values, ctx);
    let out = opNamed(n.op).cpu.forward(args);
    if (n.epilogue?.length) {
      pre.set(n.id, out);
      const chain = runEpilogue(n, out, ctx);
      out = chain[chain.length - 1].output;
    }
    values.set(n.outputs[0], out);
  });
  return { values, pre };
}

function addInto(grads: Map<string, Tensor>, id: string, t: Tensor, accumulate: boolean): void {
  const have = grads.get(id);
  if (accumulate && have) {
    const sum = new Float64Array(have.data.length);
    for (let i = 0; i < sum.length; i++) sum[i] = have.data[i] + t.data[i];
    grads.set(id, { shape: have.shape, data: sum });
  } else grads.set(id, { shape: [...t.shape], data: Float64Array.from(t.data) });
}

/** Runs the plan after `runForward` (with ctx.training true); returns every gradient by id. */
export function runBackward(g: Graph, plan: BackwardPlan, state: ForwardState, ctxIn: Partial<CpuContext> = {}): Map<string, Tensor> {
  const grads = new Map<string, Tensor>();
  for (const s of plan.seeds) grads.set(s.grad, { shape: [...typeOf(g, s.loss).shape], data: new Float64Array(1).fill(1) });
  const index = new Map(g.nodes.map((n, i) => [n.id, i]));
  for (const step of plan.steps) {
    const i = index.get(step.node)!;
    const n = g.nodes[i];
    const ctx: CpuContext = { training: true, seed: 1, step: 0, stream: i, ...ctxIn };
    const out = state.values.get(n.outputs[0])!;
    let dy: Tensor = grads.get(step.gradOutputs[0] ?? '') ?? { shape: out.shape, data: new Float64Array(out.data.length) };
    const args = anchorArgs(g, n, state.values, ctx);
    let anchorOut = out;
    if (n.epilogue?.length) {
      anchorOut = state.pre.get(n.id)!;
      const chain = runEpilogue(n, anchorOut, ctx);
      for (let k = chain.length - 1; k >= 0; k--) {
        const e = n.epilogue[k];
        const op = opNamed(e.op);
        const r = op.cpu.backward!({
          inputs: [chain[k].input],
          params: [],
          attrs: e.attrs,
          inputTypes: [{ dtype: e.inType ?? F32, shape: out.shape }],
          paramTypes: [],
          outType: { dtype: e.type ?? F32, shape: out.shape },
          ctx,
          output: chain[k].output,
          gradOutput: dy,
        });
        dy = r.inputs[0]!;
      }
    }
    const r = opNamed(n.op).cpu.backward!({ ...args, output: anchorOut, gradOutput: dy });
    const seen = new Set<string>();
    const write = (id: string | undefined, t: Tensor | undefined) => {
      if (id === undefined || !t) return;
      addInto(grads, id, t, step.accumulate.includes(id) || seen.has(id));
      seen.add(id);
    };
    step.gradInputs.forEach((id, k) => write(id, r.inputs[k]));
    const pins = paramInputs(g, n);
    step.gradParams.forEach((id, k) => {
      let t: Tensor | undefined = r.params[k];
      const q = n.paramQuantizers?.find((p) => p.param === pins[k]);
      if (q && t) {
        // straight-through from the quantized copy to the master, with the quantizer's own rule
        const master = state.values.get(pins[k])!;
        const qt = opNamed('quantize').cpu.forward({ inputs: [master], params: [], attrs: q.attrs, inputTypes: [typeOf(g, pins[k])], paramTypes: [], outType: { dtype: q.type, shape: master.shape }, ctx });
        t = opNamed('quantize').cpu.backward!({ inputs: [master], params: [], attrs: q.attrs, inputTypes: [typeOf(g, pins[k])], paramTypes: [], outType: { dtype: q.type, shape: master.shape }, ctx, output: qt, gradOutput: t }).inputs[0];
      }
      write(id, t);
    });
  }
  return grads;
}

/** Sum of every loss value after a forward pass. */
export function lossOf(g: Graph, state: ForwardState): number {
  return g.losses.reduce((a, l) => a + state.values.get(l.value)!.data[0], 0);
}
