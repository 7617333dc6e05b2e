import { DiagnosticError, error } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import { zeros, type Tensor } from '../../numeric/tensor.js';
import type { BackwardPlan, BackwardStep } from '../../passes/autodiff.js';
import { RUNTIME_CODES } from '../codes.js';
import { callBackward } from './op-call.js';
import type { ForwardResult, NodeTrace, Stage } from './trace.js';

export interface BackwardResult {
  /** Every gradient the plan computed, by gradient id (`c1.grad`), all f32. */
  gradients: Map<string, Tensor>;
  /** The gradient of every trained master parameter, by parameter id. */
  paramGrads: Map<string, Tensor>;
}

/**
 * Runs a backward plan (src/passes/autodiff.ts) over the traces of a forward pass made in
 * training mode: each loss is seeded with 1, then each step calls the CPU backward of its node's
 * stages in reverse (epilogues, then the op), with exactly the arguments the forward used, so
 * random masks and stochastic draws match. A parameter the node quantized itself gets its
 * gradient through that quantizer's backward (the straight-through estimator). Gradients that
 * meet at a value are summed in f32, in step order.
 */
export function runBackward(graph: Graph, plan: BackwardPlan, forward: ForwardResult): BackwardResult {
  const gradients = new Map<string, Tensor>();
  for (const s of plan.seeds) {
    const loss = forward.values.get(s.loss);
    if (!loss) throw planError(`the plan seeds loss '${s.loss}', which the forward pass did not compute`);
    gradients.set(s.grad, { shape: [...loss.shape], data: new Float64Array(loss.data.length).fill(1) });
  }
  for (const step of plan.steps) runStep(graph, step, forward, gradients);
  const paramGrads = new Map<string, Tensor>();
  for (const [param, gid] of plan.paramGrads) {
    const g = gradients.get(gid);
    if (g) paramGrads.set(param, g);
  }
  return { gradients, paramGrads };
}

function runStep(graph: Graph, step: BackwardStep, forward: ForwardResult, gradients: Map<string, Tensor>): void {
  const trace = forward.traces.get(step.node);
  if (!trace) throw planError(`the plan has a step for node '${step.node}', which the forward pass did not run`);
  const outId = trace.node.outputs[0];
  const gid = step.gradOutputs[0];
  let grad: Tensor;
  if (gid === undefined) grad = zeros(shapeOf(graph, outId, forward));
  else {
    const g = gradients.get(gid);
    if (!g) throw planError(`step '${step.node}' reads gradient '${gid}' before any step wrote it`);
    grad = g;
  }

  const stages = trace.stages;
  for (let k = stages.length - 1; k >= 1; k--) {
    const r = backwardOf(stages[k], grad, trace);
    grad = r.inputs[0] ?? zeros(stages[k].args.inputs[0].shape);
  }
  const first = backwardOf(stages[0], grad, trace);

  const writtenHere = new Set<string>();
  const put = (id: string, t: Tensor) => {
    const existing = gradients.get(id);
    if (existing && (step.accumulate.includes(id) || writtenHere.has(id))) {
      const sum = new Float64Array(existing.data.length);
      for (let i = 0; i < sum.length; i++) sum[i] = Math.fround(existing.data[i] + t.data[i]);
      gradients.set(id, { shape: existing.shape, data: sum });
    } else {
      gradients.set(id, { shape: [...t.shape], data: Float64Array.from(t.data) });
    }
    writtenHere.add(id);
  };
  step.gradInputs.forEach((id, i) => {
    if (id === undefined) return;
    put(id, first.inputs[i] ?? zeros(stages[0].args.inputs[i].shape));
  });
  step.gradParams.forEach((id, p) => {
    if (id === undefined) return;
    let g = first.params[p] ?? zeros(stages[0].args.params[p].shape);
    const quantizer = trace.params[p]?.quantizer;
    if (quantizer) g = backwardOf(quantizer, g, trace).inputs[0] ?? zeros(quantizer.args.inputs[0].shape);
    put(id, g);
  });
}

function backwardOf(stage: Stage, gradOutput: Tensor, trace: NodeTrace) {
  return callBackward(stage.op, { ...stage.args, output: stage.output, gradOutput }, trace.node, stage.label);
}

function shapeOf(graph: Graph, id: string, forward: ForwardResult): number[] {
  return [...(graph.values.get(id)?.type.shape ?? forward.values.get(id)?.shape ?? [])];
}

function planError(message: string): DiagnosticError {
  return new DiagnosticError([
    error(RUNTIME_CODES.EXEC_BAD_PLAN, message, undefined, {
      hint: 'build the plan from the graph the forward pass ran, and run the forward pass in training mode',
    }),
  ]);
}
