import type { WgslCapabilities } from '../../../codegen/wgsl/lib/capabilities.js';
import { checkDispatch } from '../../../codegen/wgsl/program-dispatch.js';
import type { ProgramNode, WgslProgram } from '../../../codegen/wgsl/program-types.js';
import type { Graph } from '../../../ir/graph.js';
import type { Diagnostic } from '../../../diag/diagnostic.js';
import { I32 } from '../../../numeric/number-type.js';
import type { TrainBackendSetup } from '../../train/backend.js';
import { findMovingStats } from '../../train/cpu-backend.js';
import { SOLVER_STATE_SLOTS } from '../../train/solver-spec.js';
import { stateKey } from '../../train/solver-state.js';
import { storedWeights } from '../../train/stored-weights.js';
import { controlWords, CONTROL_LOSS } from './kernels/control.js';
import { commitRunningStats, pendingRunningStats } from './kernels/batch-norm-running.js';
import { solverDispatches } from './kernels/solver.js';
import { decide, finalizeNorm, flagNonFinite, gradientPartials, partialCount } from './kernels/step-checks.js';
import { addDispatches, newSet, type DispatchSet } from './dispatch-set.js';
import { backwardKernels, forwardKernels, nodeRequest, zeroTensors, type NodeContext } from './node-kernels.js';
import { planStats, type StatsPlan } from './stats-program.js';
import { planTrainTensors, type TrainTensors } from './train-tensors.js';

/**
 * Everything a WebGPU training run dispatches, planned once from the TrainBackendSetup: the device
 * tensors (train-tensors.ts) and sets of dispatches that share them:
 *
 *   step      forward (training) with the batch-norm running statistics computed after each
 *             moving batch_norm (node marks say where a value is copied out); then the
 *             backward plan's steps; then the checks and the solver: loss flags, gradient partial
 *             sums, the norm and clipping factor, the solver's check pass, the decision, the
 *             solver's apply pass and the batch-norm commit (both skip unless the step is OK);
 *   eval      forward with training off; evalStats the same with each activation's statistics
 *             right after its node (stats-program.ts); paramStats the parameters' statistics;
 *   diagnose  the training forward with a non-finite flag per node after it (its saved
 *             pre-epilogue value and its output), run only when a step's loss went non-finite.
 * Every dispatch is checked against its shader when planned (program-dispatch.ts); problems are
 * diagnostics at the layer.
 */
export interface TrainedParam {
  id: string;
  grad: string;
  /** Solver state tensors, SOLVER_STATE_SLOTS order (ids are `<param>#<slot>`, as SolverState names them). */
  state: string[];
  lrMult: number;
  decayMult: number;
  owner: string;
  op: string;
  slot: number;
}

export interface TrainProgram {
  /** Tensors, buffers and nodes of the whole run; its `dispatches` is empty (the sets hold them). */
  base: WgslProgram;
  tensors: TrainTensors;
  step: DispatchSet;
  eval: DispatchSet;
  /** The evaluation forward with each activation's statistics right after its node: [no histograms, histograms]. */
  evalStats: [DispatchSet, DispatchSet];
  /** The parameters' statistics: [no histograms, histograms]. */
  paramStats: [DispatchSet, DispatchSet];
  diagnose: DispatchSet;
  stats: StatsPlan;
  trained: TrainedParam[];
  /** Tensors the host writes or reads: the control block, the per-step rates, the per-node flags of a diagnosis. */
  ids: { control: string; rates: string; partials: string; diagnose: string };
  /** Loss seeds (written 1 when the backend is created) and zero gradients (buffers start zeroed). */
  seeds: string[];
  zeros: string[];
  controlWords: number;
}

export function planTrainProgram(setup: TrainBackendSetup, caps: WgslCapabilities): { program?: TrainProgram; diagnostics: Diagnostic[] } {
  const { graph, plan, solver } = setup;
  const tensors = planTrainTensors(graph, plan, caps);
  const c: NodeContext = { graph, tensors, capabilities: caps };
  const diagnostics: Diagnostic[] = [];
  const zeros = zeroTensors(tensors);
  const sets = { step: newSet(), eval: newSet(), diagnose: newSet() };
  const evalStats: [DispatchSet, DispatchSet] = [newSet(), newSet()];
  const paramStats: [DispatchSet, DispatchSet] = [newSet(), newSet()];
  const add = addDispatches;
  const stats = planStats(c, caps, setup.net.batch);
  const activationStats = new Map(stats.activations.map((t) => [t.layer, t] as const));

  const control = tensors.own('#control', I32, [controlWords(plan.paramGrads.size)]).id;
  const diagnoseFlags = tensors.own('#diagnose', I32, [Math.max(1, graph.nodes.length)]).id;
  const moving = new Map(findMovingStats(graph).map((m) => [m.node.id, m] as const));

  graph.nodes.forEach((node, index) => {
    const train = forwardKernels(c, node, index, true);
    diagnostics.push(...train.diagnostics);
    add(sets.step, node.id, train.dispatches);
    add(sets.diagnose, node.id, train.dispatches);
    const pre = tensors.pre.get(node.id);
    for (const id of [...(pre ? [pre] : []), node.outputs[0]]) {
      const t = tensors.kernel(id);
      add(sets.diagnose, node.id, [flagNonFinite(caps, t, diagnoseFlags, index, t.shape.reduce((a, d) => a * d, 1), `${node.id} (non-finite check)`)]);
    }
    const m = moving.get(node.id);
    if (m) {
      const pending = tensors.own(`${node.id}#running-stats`, { kind: 'f32' }, [2 * (graph.values.get(m.mean)?.type.shape[0] ?? 0) + 1]).id;
      add(sets.step, node.id, [
        pendingRunningStats(
          caps,
          { x: tensors.kernel(m.input), mean: tensors.kernel(m.mean), variance: tensors.kernel(m.variance), scaleFactor: tensors.kernel(m.scaleFactor), pending },
          m.fraction,
          `${node.id} (running statistics)`,
        ),
      ]);
    }
    sets.step.nodeEnd.set(node.id, sets.step.dispatches.length);
    sets.diagnose.nodeEnd.set(node.id, sets.diagnose.dispatches.length);
    const ev = forwardKernels(c, node, index, false);
    diagnostics.push(...ev.diagnostics);
    add(sets.eval, node.id, ev.dispatches);
    sets.eval.nodeEnd.set(node.id, sets.eval.dispatches.length);
    evalStats.forEach((set, h) => {
      add(set, node.id, ev.dispatches);
      const target = activationStats.get(node.id);
      if (target) add(set, node.id, [stats.dispatch(target, h === 1)]);
      set.nodeEnd.set(node.id, set.dispatches.length);
    });
  });
  paramStats.forEach((set, h) => add(set, '#params', stats.params.map((t) => stats.dispatch(t, h === 1))));

  for (const step of plan.steps) {
    const k = backwardKernels(c, step, zeros.id);
    diagnostics.push(...k.diagnostics);
    add(sets.step, step.node, k.dispatches);
  }

  // The checks and the solver.
  const trained: TrainedParam[] = [...plan.paramGrads].map(([id, grad], slot) => {
    const p = graph.values.get(id)?.param;
    const owner = p?.owner ?? id;
    const state = SOLVER_STATE_SLOTS[solver.kind].map((s) => tensors.own(stateKey(id, s), { kind: 'f32' }, graph.values.get(id)?.type.shape ?? []).id);
    return { id, grad, state, lrMult: p?.lrMult ?? 1, decayMult: p?.decayMult ?? 1, owner, op: graph.nodes.find((n) => n.id === owner)?.op ?? '', slot };
  });
  const rates = tensors.own('#rates', { kind: 'f32' }, [Math.max(1, trained.length)]).id;
  const partialBase: number[] = [];
  let partialTotal = 0;
  for (const p of trained) {
    partialBase.push(partialTotal);
    partialTotal += partialCount(tensors.get(p.grad).elements);
  }
  const partials = tensors.own('#partials', { kind: 'f32' }, [Math.max(1, partialTotal)]).id;
  for (const loss of graph.losses) {
    const t = tensors.kernel(loss.value);
    add(sets.step, loss.value, [flagNonFinite(caps, t, control, CONTROL_LOSS, t.shape.reduce((a, d) => a * d, 1), `loss ${loss.name} (non-finite check)`)]);
  }
  trained.forEach((p, k) => add(sets.step, p.owner, [gradientPartials(caps, tensors.kernel(p.grad), { partials, control }, p.slot, partialBase[k], `${p.id} (gradient norm)`)]));
  add(sets.step, '#solver', [finalizeNorm(caps, { partials, control }, partialTotal, solver.clipGradients, 'gradient norm and clipping')]);
  const stored = setup.masterWeights === false ? storedWeights(graph) : new Map();
  const solverOf = (p: TrainedParam, mode: 'check' | 'apply') =>
    solverDispatches({
      capabilities: caps,
      settings: solver,
      mode,
      slot: p.slot,
      count: tensors.get(p.id).elements,
      localDecay: Math.fround(solver.weightDecay * p.decayMult),
      ...(stored.has(p.id) ? { stored: { type: stored.get(p.id)!.type, stream: stored.get(p.id)!.stream } } : {}),
      ids: { param: tensors.kernel(p.id), grad: tensors.kernel(p.grad), state: p.state.map((id) => tensors.kernel(id)), rates, control },
      label: `${p.id} (${solver.kind} ${mode})`,
    });
  for (const p of trained) add(sets.step, p.owner, solverOf(p, 'check'));
  add(sets.step, '#solver', [decide(caps, control, trained.length, 'apply or refuse the step')]);
  for (const p of trained) add(sets.step, p.owner, solverOf(p, 'apply'));
  for (const m of moving.values()) {
    const channels = graph.values.get(m.mean)?.type.shape[0] ?? 0;
    add(sets.step, m.node.id, [
      commitRunningStats(
        caps,
        { mean: tensors.kernel(m.mean), variance: tensors.kernel(m.variance), scaleFactor: tensors.kernel(m.scaleFactor), pending: `${m.node.id}#running-stats`, control },
        channels,
        `${m.node.id} (running statistics commit)`,
      ),
    ]);
  }

  // Every dispatch of every set against its shader and the tensors (the machinery's own kernels too).
  if (!diagnostics.some((d) => d.severity === 'error')) {
    for (const set of [sets.step, sets.eval, sets.diagnose, ...evalStats, ...paramStats]) diagnostics.push(...checkSet(graph, tensors, set, caps));
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const nodes: ProgramNode[] = graph.nodes.map((n, index) => {
    const built = nodeRequest(c, n, index, true);
    return {
      id: n.id,
      op: n.op,
      index,
      fused: [n.op, ...(n.epilogue ?? []).map((e) => e.op)],
      inputs: built.request?.inputs.map((t) => t.id) ?? [],
      params: built.request?.params.map((t) => t.id) ?? [],
      output: n.outputs[0],
      dispatches: [],
      request: built.request!,
    };
  });
  const base: WgslProgram = {
    net: graph.name,
    mode: 'training',
    netParams: { ...graph.netParams },
    graph,
    capabilities: caps,
    tensors: tensors.table.tensors,
    buffers: tensors.table.buffers,
    nodes,
    dispatches: [],
    shaders: new Map(),
    inputs: [...graph.inputs],
    outputs: graph.outputs.map((o) => ({ name: o.name, value: o.value })),
    losses: graph.losses.map((l) => ({ name: l.name, value: l.value })),
  };
  return {
    program: {
      base,
      tensors,
      step: sets.step,
      eval: sets.eval,
      evalStats,
      paramStats,
      diagnose: sets.diagnose,
      stats,
      trained,
      ids: { control, rates, partials, diagnose: diagnoseFlags },
      seeds: plan.seeds.map((s) => s.grad),
      zeros: zeros.created,
      controlWords: controlWords(trained.length),
    },
    diagnostics,
  };
}

/** The program as the executor's prepareDispatches takes it, with one set's dispatches. */
export function programWith(p: TrainProgram, set: DispatchSet): WgslProgram {
  return { ...p.base, dispatches: set.dispatches, shaders: set.shaders };
}

/** checkDispatch (program-dispatch.ts) for every dispatch of a set; a dispatch of the machinery is reported under its own name. */
function checkSet(graph: Graph, tensors: TrainTensors, set: DispatchSet, caps: WgslCapabilities): Diagnostic[] {
  const scratch = new Set([...tensors.table.tensors.values()].filter((t) => t.role === 'scratch').map((t) => t.id));
  const out: Diagnostic[] = [];
  for (const d of set.dispatches) {
    const node = graph.nodes.find((n) => n.id === d.node) ?? { id: d.node, op: 'training', inputs: [], outputs: [], attrs: {}, types: {} };
    const shader = set.shaders.get(d.shader)!;
    out.push(...checkDispatch(node, { label: d.label, shader, workgroups: d.workgroups, uniforms: d.uniforms, bindings: d.bindings, rng: d.rng }, tensors.table.tensors, scratch, caps));
  }
  return out;
}
