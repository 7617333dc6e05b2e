import { warning, type Diagnostic } from '../../../diag/diagnostic.js';
import { DiagnosticError } from '../../../diag/diagnostic.js';
import type { KernelRequest } from '../../../codegen/wgsl/lib/kernel.js';
import { buildWgslProgram, type WgslProgram } from '../../../codegen/wgsl/program.js';
import type { Tensor } from '../../../numeric/tensor.js';
import type { PipelineResult } from '../../../passes/pipeline.js';
import { initWeights } from '../../cpu/init-weights.js';
import { randomInput } from '../../data/random-inputs.js';
import type { LpcDevice } from '../device.js';
import { createWebgpuNet } from '../executor.js';
import { PipelineCache } from '../pipeline-cache.js';
import { WaitEstimator } from '../wait.js';
import type { KernelConfig, TuneEntry } from './cache.js';
import { opCandidates } from './candidates.js';
import { TUNE_CODES } from './codes.js';
import { requestShapeKey } from './shape-key.js';

/**
 * Measuring the candidate configurations of a net's tunable layers (conv and dense) on a device.
 *
 * A round builds the whole net's program with one configuration per tunable layer and runs it a
 * few times on random inputs and weights, after one untimed run that compiles the shaders. With
 * timestamp queries every layer has its own GPU time, so round k gives every layer its k-th
 * candidate at once (layers with fewer candidates keep their default and are not timed in that
 * round). Without them only the whole net's wall-clock time exists (waited for with the wait
 * strategy, so the waiting thread does not slow a CPU adapter), so a round changes one layer and
 * keeps the others at their defaults, and the layer's time is the net's. Medians, not means: the
 * first runs and the odd scheduler hiccup do not move them.
 */
export interface TuneOptions {
  /** Timed runs per candidate (default 5). */
  runs?: number;
  seed?: number;
  /** Force wall-clock timing even where timestamp queries exist (tests of the fallback). */
  clock?: 'timestamp' | 'wall';
}

export interface TunedLayer {
  node: string;
  op: string;
  shapeKey: string;
  entry: TuneEntry;
}

export interface TuneOutcome {
  layers: TunedLayer[];
  diagnostics: Diagnostic[];
}

interface Tunable {
  node: string;
  op: string;
  shapeKey: string;
  candidates: KernelConfig[];
}

/** A round: the candidate index of each layer it changes (others run their default). */
type Round = Map<string, number>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function tunables(program: WgslProgram): Tunable[] {
  const out: Tunable[] = [];
  for (const n of program.nodes) {
    if (!n.request) continue;
    const candidates = opCandidates(n.op, n.request);
    if (candidates.length > 1) out.push({ node: n.id, op: n.op, shapeKey: requestShapeKey(n.op, n.request), candidates });
  }
  return out;
}

function roundsFor(layers: Tunable[], clock: 'timestamp' | 'wall'): Round[] {
  const most = Math.max(...layers.map((l) => l.candidates.length));
  const rounds: Round[] = [];
  if (clock === 'timestamp') {
    for (let k = 0; k < most; k++) rounds.push(new Map(layers.filter((l) => k < l.candidates.length).map((l) => [l.node, k])));
  } else {
    rounds.push(new Map(layers.map((l) => [l.node, 0])));
    for (const l of layers) for (let k = 1; k < l.candidates.length; k++) rounds.push(new Map([[l.node, k]]));
  }
  return rounds;
}

export async function tuneNet(device: LpcDevice, planned: PipelineResult, opts: TuneOptions = {}): Promise<TuneOutcome> {
  const runs = opts.runs ?? 5;
  const seed = opts.seed ?? 1;
  const clock = opts.clock ?? (device.capabilities.timestampQuery ? 'timestamp' : 'wall');
  const diagnostics: Diagnostic[] = [];
  const base = buildWgslProgram(planned, device.wgsl);
  diagnostics.push(...base.diagnostics);
  if (!base.program) return { layers: [], diagnostics };
  const layers = tunables(base.program);
  if (layers.length === 0) {
    diagnostics.push(warning(TUNE_CODES.NOTHING_TO_TUNE, `net '${planned.graph.name}' has no layer with several kernel configurations to measure`, undefined, { hint: 'only conv and dense kernels are tuned' }));
    return { layers: [], diagnostics };
  }
  const byNode = new Map(layers.map((l) => [l.node, l]));
  const graph = planned.graph;
  const weights = initWeights(graph, seed);
  const inputs = new Map<string, Tensor>();
  for (const id of graph.inputs) inputs.set(id, randomInput(graph, graph.values.get(id)!, seed));
  const pipelines = new PipelineCache(device.device);
  // Times per layer and candidate index.
  const times = new Map(layers.map((l) => [l.node, l.candidates.map(() => [] as number[])]));

  for (const round of roundsFor(layers, clock)) {
    const configFor = (req: KernelRequest) => {
      const l = byNode.get(req.node);
      const k = round.get(req.node);
      return l && k !== undefined ? l.candidates[k] : undefined;
    };
    const built = buildWgslProgram(planned, device.wgsl, { configFor });
    if (!built.program) {
      diagnostics.push(candidateFailed(round, built.diagnostics.map((d) => d.message).join('; ')));
      continue;
    }
    try {
      const net = await createWebgpuNet(device, built.program, weights, { cache: pipelines, estimator: new WaitEstimator() });
      try {
        await net.run(inputs, { seed });
        for (let r = 0; r < runs; r++) {
          const result = await net.run(inputs, { seed, timing: clock === 'timestamp' });
          for (const [node, k] of round) {
            const ms = clock === 'timestamp' ? result.timings?.find((t) => t.node === node)?.ms : result.wallMs;
            if (ms !== undefined) times.get(node)![k].push(ms);
          }
        }
      } finally {
        net.destroy();
      }
    } catch (e) {
      if (!(e instanceof DiagnosticError)) throw e;
      diagnostics.push(candidateFailed(round, e.diagnostics.map((d) => d.message).join('; ')));
    }
  }

  const out: TunedLayer[] = [];
  for (const l of layers) {
    const measured = l.candidates.map((config, k) => ({ config, samples: times.get(l.node)![k] })).filter((c) => c.samples.length > 0);
    if (measured.length === 0) continue;
    const candidates = measured.map((c) => ({ config: c.config, medianMs: median(c.samples) }));
    const best = candidates.reduce((a, b) => (b.medianMs < a.medianMs ? b : a));
    out.push({ node: l.node, op: l.op, shapeKey: l.shapeKey, entry: { op: l.op, config: best.config, candidates, runs, clock } });
  }
  return { layers: out, diagnostics };
}

function candidateFailed(round: Round, why: string): Diagnostic {
  const which = [...round].map(([node, k]) => `${node} #${k + 1}`).join(', ');
  return warning(TUNE_CODES.CANDIDATE_FAILED, `candidate configurations (${which}) failed and are left out: ${why}`, undefined, { hint: 'the other candidates are still compared' });
}
