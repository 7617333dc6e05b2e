/**
 * lpc against its peers (issue 4): LeNet forward at batch 64, one VGG16 conv3_x layer and the whole
 * VGG16 at batch 1, on lpc's WebGPU executor and CPU reference, TensorFlow.js's WebGPU backend on
 * the same Dawn adapter, and onnxruntime-node's CPU provider, all in this one process.
 *
 *   npx tsx bench/run.ts [--quick] [--workloads lenet,vgg16-conv3,vgg16] [--engines id,...]
 *                        [--precisions f32,fixed] [--seed N]
 *
 * A full run writes bench/results/peers.json and the peers section of bench/RESULTS.md, merging
 * into earlier results by (engine, workload, precision), so a long workload can be run on its own
 * (`--workloads vgg16`) without losing the others. `--quick` (few runs, for smoke checks) writes
 * bench/results/peers-quick.json only and leaves RESULTS.md alone. Set XDG_RUNTIME_DIR (Mesa
 * warns without it); LP_NUM_THREADS changes lavapipe's thread count and is recorded.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { errorMessage, type BenchJob, type Engine } from './engines/engine.js';
import { allEngines, ENGINE_IDS } from './engines/index.js';
import { machineInfo } from './machine.js';
import { checkOutput, maxAbsDiff, outputNchw } from './output-check.js';
import { computeRatios, REFERENCE_ENGINE, renderMarkdown, writeReport, type BenchReport, type EngineInfo, type JobResult } from './report.js';
import { FULL_POLICY, measure, QUICK_POLICY } from './timing.js';
import { makeInput, makeWeights } from './weights.js';
import { benchModel, PRECISIONS, WORKLOAD_IDS, type Precision, type WorkloadId } from './workloads.js';

interface Options {
  quick: boolean;
  workloads: WorkloadId[];
  engines: string[] | undefined;
  precisions: Precision[];
  seed: number;
}

function listOption<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] {
  if (value === undefined) return [...allowed];
  const items = value.split(',').map((s) => s.trim());
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length) throw new Error(`unknown ${what} ${bad.join(', ')}; expected some of ${allowed.join(', ')}`);
  return items as T[];
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      workloads: { type: 'string' },
      engines: { type: 'string' },
      precisions: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  return {
    quick: values.quick ?? false,
    workloads: listOption(values.workloads, WORKLOAD_IDS, 'workload'),
    engines: values.engines === undefined ? undefined : listOption<string>(values.engines, ENGINE_IDS, 'engine'),
    precisions: listOption(values.precisions, PRECISIONS, 'precision'),
    seed: Number.parseInt(values.seed ?? '1', 10),
  };
}

const keyOf = (r: Pick<JobResult, 'engine' | 'workload' | 'precision'>) => `${r.engine}|${r.workload}|${r.precision}`;

/** An earlier full run's results and engines, to merge with (a run of some workloads or engines keeps the others). */
function earlierReport(): Pick<BenchReport, 'results' | 'engines'> {
  const url = new URL('./results/peers.json', import.meta.url);
  if (!existsSync(url)) return { results: [], engines: [] };
  try {
    const r = JSON.parse(readFileSync(url, 'utf8')) as Partial<BenchReport>;
    return { results: r.results ?? [], engines: r.engines ?? [] };
  } catch {
    return { results: [], engines: [] };
  }
}

async function runJob(engine: Engine, job: BenchJob, opts: Options, log: (s: string) => void): Promise<{ result: JobResult; output?: Float32Array }> {
  const src = job.model.lpnet[job.precision];
  const base = {
    engine: engine.id,
    side: engine.side,
    workload: job.model.workload,
    precision: job.precision,
    title: job.model.title,
    types: job.precision === 'f32' ? 'f32' : src.types,
    measuredAt: new Date().toISOString(),
  };
  let prepared;
  const t0 = performance.now();
  try {
    prepared = await engine.prepare(job);
  } catch (e) {
    return { result: { ...base, status: 'failed', reason: `prepare: ${errorMessage(e)}` } };
  }
  const prepareMs = performance.now() - t0;
  try {
    const policy = opts.quick ? QUICK_POLICY : FULL_POLICY;
    const m = await measure(prepared, engine.compilesLazily ? policy : { ...policy, minWarmup: 1, firstRunMayCount: true }, log);
    const output = checkOutput(m.output, job.model.outputShape);
    const { output: _last, ...numbers } = m;
    return { result: { ...base, status: 'ok', prepareMs, ...numbers, loadAverage1m: loadavg()[0], output }, output: outputNchw(m.output) };
  } catch (e) {
    return { result: { ...base, status: 'failed', reason: `run: ${errorMessage(e)}`, prepareMs } };
  } finally {
    await prepared.dispose().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const log = (s: string) => console.log(s);
  const engines = allEngines().filter((e) => !opts.engines || opts.engines.includes(e.id));
  const machine = await machineInfo();
  const a = machine.adapter;
  log(`machine: ${machine.cpuModel} x${machine.logicalCores}, node ${machine.node}, adapter: ${'error' in a ? a.error : a.description}`);

  const earlier = opts.quick ? { results: [], engines: [] } : earlierReport();
  const infos: EngineInfo[] = [];
  const ready: Engine[] = [];
  for (const e of engines) {
    const reason = await e.init();
    infos.push({ id: e.id, side: e.side, description: e.description, waitStrategy: e.waitStrategy, available: !reason, ...(reason ? { reason } : {}) });
    if (reason) log(`skipping ${e.id}: ${reason}`);
    else ready.push(e);
  }

  const policy = opts.quick ? QUICK_POLICY : FULL_POLICY;
  const merged = new Map<string, JobResult>();
  for (const r of earlier.results) merged.set(keyOf(r), r);
  for (const e of earlier.engines) if (!infos.some((i) => i.id === e.id)) infos.push(e);
  const engineOrder = (id: string) => ENGINE_IDS.indexOf(id as (typeof ENGINE_IDS)[number]);
  infos.sort((x, y) => engineOrder(x.id) - engineOrder(y.id));
  const report = (): BenchReport => {
    const results = [...merged.values()].sort(
      (x, y) =>
        WORKLOAD_IDS.indexOf(x.workload) - WORKLOAD_IDS.indexOf(y.workload) ||
        PRECISIONS.indexOf(x.precision) - PRECISIONS.indexOf(y.precision) ||
        engineOrder(x.engine) - engineOrder(y.engine),
    );
    return { generatedAt: new Date().toISOString(), mode: opts.quick ? 'quick' : 'full', machine, policy, engines: infos, results, ratios: computeRatios(results) };
  };
  const save = () => {
    if (!opts.quick) writeReport(report());
  };

  for (const id of opts.workloads) {
    const model = benchModel(id);
    const weights = makeWeights(model, opts.seed);
    const input = makeInput(model, opts.seed);
    for (const precision of opts.precisions) {
      const job: BenchJob = { model, precision, weights, input };
      const outputs = new Map<string, Float32Array>();
      const fresh: JobResult[] = [];
      const refId = REFERENCE_ENGINE[precision];
      // Compared as soon as both outputs exist, so an interrupted run keeps what it checked.
      const compare = (r: JobResult) => {
        const reference = outputs.get(refId);
        const out = outputs.get(r.engine);
        if (!reference || !out || !r.output || r.engine === refId) return;
        r.output.maxAbsDiff = maxAbsDiff(out, reference);
        r.output.reference = refId;
      };
      for (const engine of ready) {
        if (engine.unsupported(job)) continue;
        log(`${id} ${precision} on ${engine.id} ...`);
        const { result, output } = await runJob(engine, job, opts, log);
        if (output) outputs.set(engine.id, output);
        fresh.push(result);
        merged.set(keyOf(result), result);
        if (engine.id === refId) fresh.forEach(compare);
        else compare(result);
        log(
          result.status === 'ok'
            ? `  median ${result.medianMs?.toFixed(2)} ms, p90 ${result.p90Ms?.toFixed(2)} ms over ${result.timesMs?.length} runs (first run ${result.firstRunMs?.toFixed(0)} ms)`
            : `  ${result.status}: ${result.reason}`,
        );
        save();
      }
    }
  }

  const final = report();
  if (opts.quick) {
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/peers-quick.json', import.meta.url), `${JSON.stringify(final, null, 2)}\n`);
  }
  log('');
  log(renderMarkdown(final));
  for (const e of ready) await e.dispose().catch(() => undefined);
  return final.results.some((r) => r.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`bench/run.ts: ${errorMessage(e)}`);
    process.exit(2);
  },
);
