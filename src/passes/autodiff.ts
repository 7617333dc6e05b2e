import { error, warning, type Diagnostic } from '../diag/diagnostic.js';
import type { Graph, Node } from '../ir/graph.js';
import { sizeOf } from '../numeric/tensor.js';
import { PASS_CODES } from './codes.js';
import { dataInputs, opOf, paramInputs } from './op-info.js';

/**
 * The backward plan of a training step, as data that a CPU executor and the WGSL backend walk
 * (reverse-mode autodiff over the planned graph; docs/ir.md describes how to execute it).
 *
 * - Each loss is seeded with dL/dloss = 1 (Caffe's loss weight 1; several losses add up).
 * - Steps run the forward nodes in reverse order, each with its op's backward: gradients to
 *   data inputs and to parameters. A fused node's step runs its epilogues' backward in reverse
 *   (recomputed from the anchor's result, which is kept for it), then the anchor's.
 * - `quantize` nodes are ordinary steps: their op's backward is the straight-through estimator
 *   (identity, or zero where the quantizer saturated with `ste: clipped`), so the gradient of a
 *   quantized weight copy reaches its f32 master. A parameter quantizer inside a fused node does
 *   the same: the master's gradient is the gradient of the quantized copy (identity STE), and the
 *   input gradient uses the quantized weights, as in the forward pass (SEMANTICS.md section 3).
 * - Only what a loss needs is planned: a gradient flows into an input only when that input
 *   depends on a trainable parameter (so no gradient for the image or the labels), and never
 *   through an op with `differentiable: false` (accuracy).
 * - A value read by several nodes gets a gradient from each; the later steps add into it
 *   (`accumulate`).
 */
export interface BackwardStep {
  /** The forward node whose backward runs. */
  node: string;
  /** Gradient id per forward output; undefined where no gradient reaches that output (treat as zero). */
  gradOutputs: (string | undefined)[];
  /** Gradient id per data input (same order as the node's data inputs); undefined: not needed. */
  gradInputs: (string | undefined)[];
  /** Gradient id per parameter input (the node's params() order); undefined: not trained. */
  gradParams: (string | undefined)[];
  /**
   * Gradient ids this step adds into because an earlier step already wrote them. Positions are
   * handled in order (gradInputs, then gradParams): an id is written by its first position in
   * the step unless it is listed here, and every later position of the same id adds.
   */
  accumulate: string[];
}

export interface GradientInfo {
  /** The forward value (or parameter) this is the gradient of. */
  of: string;
  shape: number[];
}

export interface BackwardPlan {
  /** Losses and their seed gradients (a scalar 1 each). */
  seeds: { loss: string; grad: string }[];
  steps: BackwardStep[];
  /** Master parameter id -> id of its gradient (f32, the parameter's shape). */
  paramGrads: Map<string, string>;
  /** Every gradient tensor (all f32), by id. */
  gradients: Map<string, GradientInfo>;
}

export interface AutodiffResult {
  plan?: BackwardPlan;
  diagnostics: Diagnostic[];
}

/** The id of the gradient of value `id`. Gradient ids live apart from value ids. */
export function gradId(id: string): string {
  return `${id}.grad`;
}

/** Does a parameter take part in training (trainable, and not frozen with lr_mult 0)? */
function trains(g: Graph, id: string): boolean {
  const p = g.values.get(id)?.param;
  return p !== undefined && p.trainable && p.lrMult > 0;
}

export function planBackward(g: Graph): AutodiffResult {
  const diagnostics: Diagnostic[] = [];
  if (g.losses.length === 0) {
    diagnostics.push(
      error(PASS_CODES.NO_LOSS, `net '${g.name}' is compiled for training but declares no loss`, undefined, {
        hint: 'add `loss xent = softmax_cross_entropy(logits, label)` to the net, or compile with `--mode inference`',
      }),
    );
    return { diagnostics };
  }
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);

  // Which values depend on a trainable parameter through differentiable ops (forward sweep).
  const requires = new Set<string>(g.params.filter((p) => trains(g, p)));
  for (const n of g.nodes) {
    if (opOf(n)?.differentiable && n.inputs.some((i) => requires.has(i))) for (const o of n.outputs) requires.add(o);
  }

  const seeds: BackwardPlan['seeds'] = [];
  const hasGrad = new Set<string>();
  for (const l of g.losses) {
    const v = g.values.get(l.value);
    const p = producer.get(l.value);
    if (!p || !opOf(p)?.differentiable) {
      diagnostics.push(
        error(PASS_CODES.LOSS_NOT_DIFFERENTIABLE, `loss '${l.name}' is computed by '${p?.op ?? 'no op'}', which has no gradient`, l.span ?? p?.span, {
          hint: `declare it as \`output ${l.name} = ...\` and train on a differentiable loss`,
        }),
      );
      continue;
    }
    if (v && sizeOf(v.type.shape) !== 1) {
      diagnostics.push(error(PASS_CODES.LOSS_NOT_SCALAR, `loss '${l.name}' has shape [${v.type.shape.join(', ')}]; a loss must be a scalar`, l.span ?? p.span));
      continue;
    }
    if (!hasGrad.has(l.value)) seeds.push({ loss: l.value, grad: gradId(l.value) });
    hasGrad.add(l.value);
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  const steps: BackwardStep[] = [];
  const writtenBefore = new Set<string>(seeds.map((s) => s.grad));
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!opOf(n)?.differentiable || !n.outputs.some((o) => hasGrad.has(o)) || !n.inputs.some((x) => requires.has(x))) continue;
    const want = (id: string) => (requires.has(id) ? gradId(id) : undefined);
    const gradInputs = dataInputs(g, n).map(want);
    const gradParams = paramInputs(g, n).map(want);
    const writes = [...gradInputs, ...gradParams].filter((x): x is string => x !== undefined);
    steps.push({
      node: n.id,
      gradOutputs: n.outputs.map((o) => (hasGrad.has(o) ? gradId(o) : undefined)),
      gradInputs,
      gradParams,
      accumulate: [...new Set(writes.filter((w) => writtenBefore.has(w)))],
    });
    for (const w of writes) writtenBefore.add(w);
    for (const x of n.inputs) if (requires.has(x)) hasGrad.add(x);
  }

  const paramGrads = new Map<string, string>();
  for (const p of g.params) {
    if (hasGrad.has(p)) paramGrads.set(p, gradId(p));
    else if (trains(g, p)) {
      const owner = g.nodes.find((n) => n.id === g.values.get(p)?.param?.owner);
      diagnostics.push(
        warning(PASS_CODES.PARAM_GETS_NO_GRADIENT, `parameter '${p}' receives no gradient from any loss, so training never changes it`, owner?.span, {
          hint: 'check that the layer feeds a loss through differentiable ops, or set its lr multiplier to 0 to freeze it',
        }),
      );
    }
  }
  const gradients = new Map<string, GradientInfo>();
  for (const id of hasGrad) gradients.set(gradId(id), { of: id, shape: [...(g.values.get(id)?.type.shape ?? [])] });
  return { plan: { seeds, steps, paramGrads, gradients }, diagnostics };
}
