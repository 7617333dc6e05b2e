/**
 * The benchmark's outputs: bench/results/peers.json (everything measured, machine-readable) and the
 * peers section of bench/RESULTS.md (a table for people). RESULTS.md may hold other benchmarks'
 * sections too: only the text between this section's markers is replaced.
 */
import { writeAtomically, writeResultsSection } from './results-file.js';
import { mkdirSync } from 'node:fs';
import type { MachineInfo } from './machine.js';
import type { OutputCheck } from './output-check.js';
import type { Precision, WorkloadId } from './workloads.js';

export interface EngineInfo {
  id: string;
  side: 'lpc' | 'peer';
  description: string;
  waitStrategy: string;
  available: boolean;
  reason?: string;
}

export interface JobResult {
  engine: string;
  side: 'lpc' | 'peer';
  workload: WorkloadId;
  precision: Precision;
  title: string;
  types: string;
  /** When this row was measured (a full run merges rows from earlier runs). */
  measuredAt: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  prepareMs?: number;
  firstRunMs?: number;
  warmupRuns?: number;
  timesMs?: number[];
  medianMs?: number;
  p90Ms?: number;
  minMs?: number;
  /** The 1-minute load average when the row finished: other processes on the machine skew timings. */
  loadAverage1m?: number;
  output?: OutputCheck;
}

export interface Ratio {
  workload: WorkloadId;
  lpcEngine: string;
  lpcPrecision: Precision;
  /** A peer engine (always f32), or the same lpc engine in f32 for the fixed-point cost. */
  against: string;
  ratio: number;
}

export interface BenchReport {
  generatedAt: string;
  mode: 'full' | 'quick';
  machine: MachineInfo;
  policy: { warmup: number; minWarmup: number; runs: number; minRuns: number; budgetMs: number; firstRunMayCount?: boolean };
  engines: EngineInfo[];
  results: JobResult[];
  ratios: Ratio[];
}

/** Whose output the others are compared with: ONNX Runtime for f32, lpc's CPU oracle for fixed point. */
export const REFERENCE_ENGINE: Record<Precision, string> = { f32: 'onnxruntime-cpu', fixed: 'lpc-cpu' };

/** Figures measured on this machine before issue 4 (the issue's text), shown beside ours. */
export const EARLIER_FIGURES: Partial<Record<string, Partial<Record<WorkloadId, number>>>> = {
  'tfjs-webgpu': { lenet: 644, 'vgg16-conv3': 1284 },
  'onnxruntime-cpu': { lenet: 3.3, 'vgg16-conv3': 27 },
};

/** lpc/peer median ratios for every lpc result with a peer result on the same workload. */
export function computeRatios(results: readonly JobResult[]): Ratio[] {
  const ok = results.filter((r) => r.status === 'ok' && r.medianMs !== undefined);
  const ratios: Ratio[] = [];
  for (const l of ok.filter((r) => r.side === 'lpc')) {
    for (const p of ok.filter((r) => r.side === 'peer' && r.workload === l.workload && r.precision === 'f32')) {
      ratios.push({ workload: l.workload, lpcEngine: l.engine, lpcPrecision: l.precision, against: p.engine, ratio: l.medianMs! / p.medianMs! });
    }
    if (l.precision === 'fixed') {
      const f32 = ok.find((r) => r.engine === l.engine && r.workload === l.workload && r.precision === 'f32');
      if (f32) ratios.push({ workload: l.workload, lpcEngine: l.engine, lpcPrecision: 'fixed', against: `${l.engine} f32`, ratio: l.medianMs! / f32.medianMs! });
    }
  }
  return ratios;
}

const resultsDir = new URL('./results/', import.meta.url);
export const PEERS_MARKERS = {
  begin: '<!-- bench/run.ts peers: begin (generated; edits between these markers are overwritten) -->',
  end: '<!-- bench/run.ts peers: end -->',
};

export function writeReport(report: BenchReport): void {
  mkdirSync(resultsDir, { recursive: true });
  writeAtomically(new URL('peers.json', resultsDir), `${JSON.stringify(report, null, 2)}\n`);
  writeResultsSection(PEERS_MARKERS, renderMarkdown(report));
}

const ms = (v: number | undefined) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

function machineLines(m: MachineInfo): string[] {
  const a = m.adapter;
  const adapter =
    'error' in a
      ? `none (${a.error})`
      : `${a.description || a.device} (vendor ${a.vendor}, architecture ${a.architecture}${a.isFallbackAdapter ? ', a fallback (software) adapter' : ''}); maxStorageBufferBindingSize ${mib(a.maxStorageBufferBindingSize)}`;
  return [
    `- CPU: ${m.cpuModel}, ${m.logicalCores} logical cores; ${m.memoryGiB} GiB memory; ${m.os}`,
    `- Node ${m.node}`,
    `- WebGPU adapter (Dawn, the \`webgpu\` package): ${adapter}`,
    `- Packages: ${Object.entries(m.packages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    ...(Object.keys(m.env).length ? [`- Environment: ${Object.entries(m.env).map(([k, v]) => `${k}=${v}`).join(', ')}`] : []),
  ];
}

function methodLines(r: BenchReport): string[] {
  const p = r.policy;
  return [
    '- Workloads: LeNet forward at batch 64 (examples/lenet.lpnet `lenet_body`: conv 20 k5, max pool 2/2, tanh, conv 50 k5, max pool 2/2, tanh, dense 500 + relu, dense 10, softmax); one VGG16 conv3_x layer (conv 256->256, 3x3, pad 1, 56x56, batch 1, + bias + relu); the whole VGG16 at batch 1 (examples/vgg16.lpnet; dropout is the identity at inference).',
    "- Every engine gets the same weights (seeded; uniform with variance 2/fan_in before a relu and 1/fan_in elsewhere, so activations keep their scale through VGG16; biases uniform on [-0.1, 0.1)) and the same input batch (multiples of 2^-8 in [-1, 1)), built by bench/weights.ts. The peers run f32; lpc runs f32 and the nets' fixed-point types (LeNet8's 8-bit types, VGG16's 16-bit types; the conv layer with conv3_2's). Each engine builds its own model from one layer list (bench/workloads.ts): TF.js from its fused ops, ONNX Runtime from an ONNX model the benchmark encodes itself (bench/onnx/), lpc from .lpnet source.",
    "- What is timed: one inference, from handing the engine the input batch (already in host memory, in the engine's layout) until the output is back in host memory: input upload, every dispatch or kernel, and the readback are inside; model building, weight upload and the conversion of the input to the engine's layout are not.",
    `- Runs: a first run (reported apart: it includes shader compilation), warm-up runs (up to ${p.warmup} in all, at least ${p.minWarmup}, fewer past half of a ${p.budgetMs / 1000} s budget; the CPU reference, which compiles nothing, gets one, and when its first run alone takes the whole budget that run is its one timed run), then up to ${p.runs} timed runs (at least ${p.minRuns}; fewer once the timed runs pass the budget). Median and p90 (nearest rank) of the timed runs. All engines run one after another in one Node process.`,
    `- The machine is shared with other work: the 1-minute load average when each row finished is in the table (${r.machine.logicalCores} cores; a load above that means the engines competed for the CPU, which slows lavapipe and ONNX Runtime alike).`,
    "- Correctness: each output is checked for shape and finite values and compared with a reference engine's output (ONNX Runtime for f32, lpc's CPU reference for fixed point); the largest absolute difference is in the table.",
    "- Waiting: while a WebGPU promise is pending, the `webgpu` package keeps Node's main thread polling Dawn, one whole core; on lavapipe, which runs shaders on the CPU cores, that core is taken from the shaders. Sleeping on a timer for most of the expected time before creating the promise gives lavapipe the core back. How each engine waits:",
  ];
}

function resultTable(r: BenchReport): string[] {
  const lines = [
    '| workload | precision | engine | median ms | p90 ms | timed runs | first run ms | earlier figure ms | max abs diff vs reference | load | status |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |',
  ];
  for (const x of r.results) {
    const earlier = x.precision === 'f32' ? EARLIER_FIGURES[x.engine]?.[x.workload] : undefined;
    const o = x.output;
    const check = !o
      ? ''
      : !o.shapeOk
        ? `wrong shape [${o.shape.join(', ')}]`
        : o.nonFinite > 0
          ? `${o.nonFinite} non-finite values`
          : o.maxAbsDiff !== undefined
            ? `${o.maxAbsDiff.toExponential(2)} vs ${o.reference}`
            : x.engine === REFERENCE_ENGINE[x.precision]
              ? '(reference)'
              : `finite; ${REFERENCE_ENGINE[x.precision]} did not run`;
    const status = x.status === 'ok' ? 'ok' : `${x.status}: ${x.reason ?? ''}`;
    lines.push(
      `| ${x.workload} | ${x.precision} | ${x.engine} | ${ms(x.medianMs)} | ${ms(x.p90Ms)} | ${x.timesMs?.length ?? ''} | ${ms(x.firstRunMs)} | ${earlier ?? ''} | ${check} | ${x.loadAverage1m?.toFixed(1) ?? ''} | ${status.replace(/\|/g, '\\|')} |`,
    );
  }
  return lines;
}

function ratioTable(r: BenchReport): string[] {
  if (r.ratios.length === 0) return ['No lpc engine produced a result to compare, so there is no ratio yet.'];
  return [
    '| workload | lpc engine | precision | against | lpc / against (median) |',
    '| --- | --- | --- | --- | ---: |',
    ...r.ratios.map((x) => `| ${x.workload} | ${x.lpcEngine} | ${x.lpcPrecision} | ${x.against} | ${x.ratio.toFixed(2)} |`),
  ];
}

export function renderMarkdown(r: BenchReport): string {
  const skipped = r.engines.filter((e) => !e.available);
  return [
    '## Peer benchmarks',
    '',
    `Generated by \`npx tsx bench/run.ts${r.mode === 'quick' ? ' --quick' : ''}\` on ${r.generatedAt} (${r.mode} mode). Raw numbers: bench/results/peers.json. Targets (issue 4): lpc's WebGPU kernels at least as fast as TF.js WebGPU on every workload (ratio <= 1 against tfjs-webgpu), fixed point at most 1.15x the same net in f32.`,
    '',
    '### Machine',
    '',
    ...machineLines(r.machine),
    '',
    '### Method',
    '',
    ...methodLines(r),
    '',
    '| engine | what runs | how it waits |',
    '| --- | --- | --- |',
    ...r.engines.map((e) => `| ${e.id} | ${e.description} | ${e.waitStrategy} |`),
    '',
    '### Results',
    '',
    ...resultTable(r),
    '',
    '### Ratios',
    '',
    ...ratioTable(r),
    ...(skipped.length ? ['', '### Engines not run', '', ...skipped.map((e) => `- ${e.id}: ${e.reason ?? 'unavailable'}`)] : []),
  ].join('\n');
}
