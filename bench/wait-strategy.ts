/**
 * How the runtime should wait for the GPU (src/runtime/webgpu/wait.ts). While a WebGPU promise is
 * pending, the `webgpu` package keeps Node's main thread polling; on a CPU adapter (lavapipe) that
 * core is taken from the shader threads. This compares, on the same kernels and device:
 *
 *   immediate   submit, then await queue.onSubmittedWorkDone() at once (the spinning wait)
 *   timer F     submit, sleep (setTimeout) for F x the running estimate, then await (awaitQueue)
 *
 * Each round runs every strategy once, in rotating order, so drift (thermal, other load) hits all
 * alike. Reports the median wall time from submit to completion, per workload.
 *
 *   npx tsx bench/wait-strategy.ts            print the table
 *   npx tsx bench/wait-strategy.ts --write    also replace the section in bench/RESULTS.md
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { RNG_MIX } from '../src/codegen/wgsl/lib/rng.js';
import { ShaderBuilder } from '../src/codegen/wgsl/lib/shader-builder.js';
import { acquireDevice, type LpcDevice } from '../src/runtime/webgpu/device.js';
import { encodeDispatch } from '../src/runtime/webgpu/dispatch.js';
import { PipelineCache, type CachedPipeline } from '../src/runtime/webgpu/pipeline-cache.js';
import { awaitQueue, WaitEstimator } from '../src/runtime/webgpu/wait.js';

interface Workload {
  name: string;
  invocations: number;
  /** Hash rounds per invocation: sets the length of the kernel. */
  rounds: number;
  /** Dispatches per submission (a net is many dispatches; one wait at the end). */
  dispatches: number;
}

const WORKLOADS: Workload[] = [
  { name: 'one long kernel (2^18 invocations x 600 hash rounds)', invocations: 1 << 18, rounds: 600, dispatches: 1 },
  { name: '20 short dispatches (2^15 x 160 rounds each), one wait', invocations: 1 << 15, rounds: 160, dispatches: 20 },
];

const STRATEGIES: { name: string; fraction: number }[] = [
  { name: 'immediate', fraction: 0 },
  { name: 'timer 0.5', fraction: 0.5 },
  { name: 'timer 0.85 (default)', fraction: 0.85 },
  { name: 'timer 0.95', fraction: 0.95 },
];

const ROUNDS = 31;
const WARMUP = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** An ALU-bound kernel: each invocation chains `rounds` avalanche rounds of the generator's mix. */
function hashKernel(d: LpcDevice) {
  const b = new ShaderBuilder({ capabilities: d.wgsl, workgroupSize: 64 });
  const out = b.storageBuffer('out', 'u32', 'read_write');
  const rounds = b.uniform('rounds', 'u32');
  b.use(RNG_MIX);
  const i = b.globalIndex();
  return b
    .main([
      `let i = ${i};`,
      `if (i >= arrayLength(&${out})) { return; }`,
      `var h = i;`,
      `for (var r = 0u; r < ${rounds}; r++) { h = lpc_rng_mix(h ^ r); }`,
      `${out}[i] = h;`,
    ])
    .build();
}

async function runOnce(d: LpcDevice, pipeline: CachedPipeline, buf: GPUBuffer, w: Workload, fraction: number, estimator: WaitEstimator, key: string): Promise<number> {
  const enc = d.device.createCommandEncoder();
  const transient: GPUBuffer[] = [];
  for (let k = 0; k < w.dispatches; k++) {
    transient.push(...encodeDispatch(d.device, enc, { label: w.name, pipeline, buffers: { out: buf }, uniforms: { rounds: w.rounds }, workgroups: [w.invocations / 64] }));
  }
  const t0 = performance.now();
  d.device.queue.submit([enc.finish()]);
  const ms = await awaitQueue(d.device, { key, estimator, sleepFraction: fraction, submittedAt: t0 });
  for (const t of transient) t.destroy();
  return ms;
}

async function main(): Promise<void> {
  const d = await acquireDevice();
  const cache = new PipelineCache(d.device);
  const pipeline = await cache.get(hashKernel(d), 'hash');
  const rows: string[] = [];
  const summary: string[] = [];
  for (const w of WORKLOADS) {
    const buf = d.device.createBuffer({ size: w.invocations * 4, usage: GPUBufferUsage.STORAGE });
    const estimator = new WaitEstimator();
    const times = new Map<string, number[]>(STRATEGIES.map((s) => [s.name, []]));
    for (let r = 0; r < WARMUP + ROUNDS; r++) {
      for (let k = 0; k < STRATEGIES.length; k++) {
        const s = STRATEGIES[(k + r) % STRATEGIES.length];
        const ms = await runOnce(d, pipeline, buf, w, s.fraction, estimator, `${w.name}/${s.name}`);
        if (r >= WARMUP) times.get(s.name)!.push(ms);
      }
    }
    const base = median(times.get('immediate')!);
    for (const s of STRATEGIES) {
      const m = median(times.get(s.name)!);
      rows.push(`| ${w.name} | ${s.name} | ${m.toFixed(1)} | ${(base / m).toFixed(2)}x |`);
    }
    summary.push(`${w.name}: immediate ${base.toFixed(1)} ms, default timer ${median(times.get('timer 0.85 (default)')!).toFixed(1)} ms`);
    buf.destroy();
  }
  const a = d.capabilities.adapter;
  const load = loadavg()[0].toFixed(1);
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, adapter: ${a.description || a.device} (${a.vendor}); 1-minute load average ${load} when the run ended`;
  const section = [
    '<!-- wait-strategy:start -->',
    '## Waiting for the GPU (src/runtime/webgpu/wait.ts)',
    '',
    `Machine: ${machine}.`,
    '',
    `Method: \`npx tsx bench/wait-strategy.ts\`. An ALU-bound WGSL kernel (chained hash rounds) is submitted and awaited; the time is wall clock from \`queue.submit\` to the resolution of the wait. "immediate" awaits \`onSubmittedWorkDone()\` at once (Node's main thread then polls Dawn on a full core); "timer F" sleeps with \`setTimeout\` for F x the running estimate of this workload first (\`awaitQueue\`). ${ROUNDS} rounds after ${WARMUP} warm-up rounds, every strategy once per round in rotating order; medians.`,
    '',
    '| workload | strategy | median ms | speed-up vs immediate |',
    '|---|---|---|---|',
    ...rows,
    '<!-- wait-strategy:end -->',
  ].join('\n');
  console.log(section);
  for (const s of summary) console.log(s);
  if (process.argv.includes('--write')) {
    const path = new URL('./RESULTS.md', import.meta.url);
    const prior = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n\nEach section is written by the script it names.\n';
    const re = /<!-- wait-strategy:start -->[\s\S]*?<!-- wait-strategy:end -->/;
    const next = re.test(prior) ? prior.replace(re, section) : `${prior.trimEnd()}\n\n${section}\n`;
    writeFileSync(path, next);
  }
  d.destroy();
}

await main();
