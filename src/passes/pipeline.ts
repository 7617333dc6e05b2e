import { error, type Diagnostic } from '../diag/diagnostic.js';
import type { Graph } from '../ir/graph.js';
import { verifyGraph } from '../ir/verify.js';
import { analyzeAccumulators } from './accumulator.js';
import { planBackward, type BackwardPlan } from './autodiff.js';
import { PASS_CODES } from './codes.js';
import { foldBatchNorm } from './fold-batch-norm.js';
import { fuseGraph, type FusionReport } from './fusion.js';
import { planMemory, type MemoryPlan } from './memory-plan.js';
import { opOf } from './op-info.js';
import { insertQuantizers } from './quantize-insertion.js';
import { removeInferenceDropout } from './remove-dropout.js';

/**
 * The ordered passes from a lowered graph to a planned one. Order matters:
 *  1. fold-batch-norm (inference only) before quantize insertion, so the declared weight type
 *     applies to the folded weights (SEMANTICS.md section 5);
 *  2. quantize-insertion makes every declared type an explicit quantize node;
 *  3. remove-dropout (inference only) drops the identity dropouts, after quantize insertion so a
 *     dropout's declared output type survives as its own quantize node;
 *  4. accumulator analysis reads the now explicit weight and input types;
 *  5. fusion folds the quantize nodes and epilogues into their anchors.
 * Then, as analyses of the final graph: the backward plan (training) and the memory plans.
 * The verifier runs on the input and after every pass; a failure stops the pipeline.
 */
export type CompileMode = 'inference' | 'training';

export interface PassContext {
  mode: CompileMode;
  diagnostics: Diagnostic[];
  fusion?: FusionReport;
  removedDropout?: string[];
}

export interface GraphPass {
  name: string;
  modes: readonly CompileMode[];
  run(g: Graph, ctx: PassContext): Graph;
}

export const PIPELINE: readonly GraphPass[] = [
  { name: 'fold-batch-norm', modes: ['inference'], run: (g) => foldBatchNorm(g) },
  { name: 'quantize-insertion', modes: ['inference', 'training'], run: (g) => insertQuantizers(g) },
  {
    name: 'remove-dropout',
    modes: ['inference'],
    run: (g, ctx) => {
      const r = removeInferenceDropout(g);
      ctx.removedDropout = r.removed;
      return r.graph;
    },
  },
  {
    name: 'accumulator',
    modes: ['inference', 'training'],
    run: (g, ctx) => {
      const r = analyzeAccumulators(g);
      ctx.diagnostics.push(...r.diagnostics);
      return r.graph;
    },
  },
  {
    name: 'fusion',
    modes: ['inference', 'training'],
    run: (g, ctx) => {
      const r = fuseGraph(g);
      ctx.fusion = r.report;
      return r.graph;
    },
  },
];

export interface PipelineOptions {
  mode: CompileMode;
  /** Run only the passes up to and including this one (for tests and `--emit` of a stage). */
  stopAfter?: string;
}

export interface PipelineResult {
  mode: CompileMode;
  /** The graph after the last pass that ran. */
  graph: Graph;
  diagnostics: Diagnostic[];
  /** Names of the passes that ran, in order. */
  passes: string[];
  fusion: FusionReport;
  /** Ids of the dropout nodes removed for inference (undefined when the pass did not run). */
  removedDropout?: string[];
  backward?: BackwardPlan;
  /** Peak memory of one inference, and of one training step when compiled for training. */
  memory: { inference?: MemoryPlan; training?: MemoryPlan };
  /** False when a pass reported an error (or the verifier failed): the graph is not compilable. */
  ok: boolean;
}

export function runPipeline(input: Graph, opts: PipelineOptions): PipelineResult {
  const ctx: PassContext = { mode: opts.mode, diagnostics: [] };
  const result = (graph: Graph, passes: string[], ok: boolean): PipelineResult => ({
    mode: opts.mode,
    graph,
    diagnostics: ctx.diagnostics,
    passes,
    fusion: ctx.fusion ?? { nodesBefore: graph.nodes.length, nodesAfter: graph.nodes.length, fused: [] },
    ...(ctx.removedDropout ? { removedDropout: ctx.removedDropout } : {}),
    memory: {},
    ok,
  });
  const hasErrors = () => ctx.diagnostics.some((d) => d.severity === 'error');

  for (const n of input.nodes) {
    if (!opOf(n)) ctx.diagnostics.push(error(PASS_CODES.UNKNOWN_OP, `node '${n.id}' uses op '${n.op}', which is not registered`, n.span));
  }
  ctx.diagnostics.push(...verifyGraph(input));
  if (hasErrors()) return result(input, [], false);

  let g = input;
  const ran: string[] = [];
  for (const pass of PIPELINE) {
    if (!pass.modes.includes(opts.mode)) continue;
    g = pass.run(g, ctx);
    ran.push(pass.name);
    ctx.diagnostics.push(...verifyGraph(g).map((d) => ({ ...d, notes: [...d.notes, { message: `after pass '${pass.name}'` }] })));
    if (hasErrors()) return result(g, ran, false);
    if (pass.name === opts.stopAfter) return result(g, ran, true);
  }

  const out = result(g, ran, true);
  out.memory.inference = planMemory(g);
  if (opts.mode === 'training') {
    const ad = planBackward(g);
    ctx.diagnostics.push(...ad.diagnostics);
    if (!ad.plan || hasErrors()) return { ...out, ok: false };
    out.backward = ad.plan;
    out.memory.training = planMemory(g, ad.plan);
  }
  return out;
}
