import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { initWeights } from '../../runtime/cpu/init-weights.js';
import { describeTransform } from '../../runtime/data/batches.js';
import { hasCheckpoint, readCheckpoint, type Checkpoint } from '../../runtime/train/checkpoint.js';
import { TRAIN_CODES } from '../../runtime/train/codes.js';
import { writeFileDurable } from '../../runtime/train/durable-write.js';
import { statsToJson } from '../../runtime/train/layer-stats.js';
import { describeLrPolicy } from '../../runtime/train/lr-policy.js';
import { MetricsLog } from '../../runtime/train/metrics-log.js';
import { hasRunRecord, readRunRecord, writeRunRecord, type RunRecord } from '../../runtime/train/run-record.js';
import { trainedParams } from '../../runtime/train/session.js';
import { describeSolver } from '../../runtime/train/solver-spec.js';
import { storedWeights } from '../../runtime/train/stored-weights.js';
import { runTraining, type TrainOutcome } from '../../runtime/train/train-loop.js';
import { encodeLpw } from '../../runtime/weights/lpw-write.js';
import { loadWeightsFile, storedMasters } from '../../runtime/weights/match-weights.js';
import type { CliIO } from '../io.js';
import { fromCwd, printDiagnostics, type Reporter } from '../run/load-net.js';
import { version } from '../version.js';
import { prepareRun, type PreparedRun } from './prepare-run.js';
import { createProgress, formatDuration, percent } from './progress.js';
import { statsTable } from './stats-table.js';
import { resumeOptions, type TrainCliOptions } from './train-options.js';

/**
 * `lpc train`: a new run in --out, or the continuation of one with --resume. The run folder
 * holds run.json (the settings), metrics.jsonl, checkpoint.json and checkpoints/ (the latest
 * checkpoint), and at the end weights.lpw (the trained f32 master weights) and stats.json (the
 * per-layer statistics of the final test evaluation). docs/training.md describes them.
 */

const fail = (io: CliIO, diagnostics: Diagnostic[]): number => {
  printDiagnostics({ io, sources: new Map() }, diagnostics);
  return 1;
};

/** Options and the run folder, for a new run or a resumed one. */
function runFolderOptions(file: string | undefined, opts: TrainCliOptions, io: CliIO): { file: string; options: TrainCliOptions; runDir: string; record?: RunRecord } | number {
  if (opts.resume === undefined) {
    if (file === undefined) return fail(io, [error(TRAIN_CODES.MISSING_INPUT, 'lpc train needs the .lpnet file of the net to train', undefined, { hint: 'lpc train NET.lpnet --data fashion-mnist --out run/ (or --resume run/ to continue a run)' })]);
    if (opts.out === undefined) return fail(io, [error(TRAIN_CODES.MISSING_INPUT, 'lpc train needs --out FOLDER for its checkpoints, metrics and weights', undefined, { hint: 'add --out run/' })]);
    const runDir = fromCwd(io, opts.out);
    if (hasRunRecord(runDir) || hasCheckpoint(runDir)) {
      return fail(io, [
        error(TRAIN_CODES.RUN_FOLDER_IN_USE, `'${opts.out}' already holds a training run`, undefined, {
          hint: `continue it with --resume ${opts.out}, or choose another --out folder`,
        }),
      ]);
    }
    if (opts.data === undefined) return fail(io, [error(TRAIN_CODES.MISSING_INPUT, 'lpc train needs --data (fashion-mnist or a folder of MNIST-format IDX files)', undefined, { hint: 'add --data fashion-mnist' })]);
    return { file, options: opts, runDir };
  }
  const runDir = fromCwd(io, opts.resume);
  if (opts.out !== undefined && fromCwd(io, opts.out) !== runDir) {
    return fail(io, [
      error(TRAIN_CODES.RESUME_MISMATCH, `--resume ${opts.resume} continues the run in its own folder, not in --out ${opts.out}`, undefined, { hint: 'drop --out when resuming' }),
    ]);
  }
  const read = readRunRecord(runDir);
  if (!read.record) return fail(io, read.diagnostics);
  const r = resumeOptions(opts, read.record);
  if (r.diagnostics.length > 0) return fail(io, r.diagnostics);
  return { file: file ?? read.record.netFile, options: r.options, runDir, record: read.record };
}

export async function runTrainCommand(fileArg: string | undefined, opts: TrainCliOptions, io: CliIO): Promise<number> {
  const folder = runFolderOptions(fileArg, opts, io);
  if (typeof folder === 'number') return folder;
  const { file, options, runDir, record } = folder;
  const prepared = await prepareRun(
    file,
    { ...options, data: options.data ?? '', backend: options.backend ?? 'cpu' },
    io,
    'train',
  );
  if (!prepared) return 1;
  try {
    return await train(file, options, runDir, record, prepared, io);
  } finally {
    await prepared.backend.dispose();
  }
}

async function train(file: string, options: TrainCliOptions, runDir: string, record: RunRecord | undefined, p: PreparedRun, io: CliIO): Promise<number> {
  const { graph, settings, setup, backend, data, transform, reporter } = p;
  const metrics = new MetricsLog(join(runDir, 'metrics.jsonl'));
  let resume: Checkpoint | undefined;
  if (record) {
    if (JSON.stringify(record.netParams) !== JSON.stringify(graph.netParams)) {
      return fail(io, [
        error(TRAIN_CODES.RESUME_MISMATCH, `--resume: the run's net ${record.net} was built with ${JSON.stringify(record.netParams)}, now with ${JSON.stringify(graph.netParams)}`, undefined, {
          hint: 'resume with the same --param values, or start a new run',
        }),
      ]);
    }
    const read = readCheckpoint(runDir, setup.graph, settings.solver.kind, trainedParams(setup));
    if (!read.checkpoint) return fail(io, read.diagnostics);
    resume = read.checkpoint;
    await backend.setParams(resume.params);
    await backend.setSolverState(resume.solver);
    metrics.truncateTo(resume.metricsBytes);
    if (describeSolver(record.solver) !== describeSolver(settings.solver) || describeLrPolicy(record.policy) !== describeLrPolicy(settings.policy)) {
      io.err(`note: the optimizer is now ${describeSolver(settings.solver)}, schedule ${describeLrPolicy(settings.policy)} (the run started with ${describeSolver(record.solver)}, ${describeLrPolicy(record.policy)})`);
    }
  } else {
    const weights = initialWeights(p, options, reporter, io);
    if (!weights) return 1;
    await backend.setParams(weights);
    try {
      mkdirSync(runDir, { recursive: true });
      writeFileSync(metrics.path, '');
    } catch (e) {
      return fail(io, [error(TRAIN_CODES.RUN_FOLDER_WRITE, `cannot create the run folder '${runDir}': ${e instanceof Error ? e.message : String(e)}`, undefined, { hint: 'check the path and its permissions' })]);
    }
    const d = writeRunRecord(runDir, {
      format: 1,
      netFile: resolve(io.cwd, file),
      net: graph.name,
      netParams: graph.netParams,
      data: options.data ?? '',
      dataName: data.name,
      dataSource: data.source,
      limitTrain: options.limitTrain,
      limitTest: options.limitTest,
      trainItems: data.train.count,
      testItems: data.test.count,
      transform,
      backend: backend.name,
      device: backend.device,
      seed: settings.seed,
      batch: p.batch,
      epochs: settings.epochs,
      maxSteps: settings.maxSteps,
      solver: settings.solver,
      policy: settings.policy,
      masterWeights: settings.masterWeights,
      checkpointEvery: options.checkpointEvery,
      initialWeights: options.weights ?? 'fillers',
      lpcVersion: version,
      started: new Date().toISOString(),
    });
    if (d) return fail(io, [d]);
  }

  io.err(
    `training ${graph.name} on ${data.name} (${data.train.count} training, ${data.test.count} test items, input ${describeTransform(transform)}) with ${describeSolver(settings.solver)}, schedule ${describeLrPolicy(settings.policy)}, batch ${p.batch}, seed ${settings.seed}${describeStorage(setup)}, on ${backend.device}`,
  );
  const progress = createProgress(io);
  let stopRequested = false;
  const onSigint = () => {
    stopRequested = true;
    progress.line('stopping after this step, with a checkpoint (Ctrl-C again to quit at once)');
    process.removeListener('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  let outcome: TrainOutcome;
  try {
    outcome = await runTraining({
      backend,
      graph: setup.graph,
      train: data.train,
      test: data.test,
      transform,
      seed: settings.seed,
      batch: p.batch,
      epochs: settings.epochs,
      maxSteps: settings.maxSteps,
      solver: settings.solver,
      policy: settings.policy,
      runDir,
      checkpointEvery: options.checkpointEvery,
      testInterval: settings.testInterval,
      display: settings.display,
      metrics,
      resume,
      observer: progress,
      shouldStop: () => stopRequested,
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.stop();
  }
  printDiagnostics(reporter, outcome.diagnostics);
  const shown = options.resume ?? options.out ?? runDir;
  if (outcome.status === 'stopped') {
    io.err(`stopped after step ${outcome.state.step}; continue with: lpc train --resume ${shown}`);
    return 130;
  }
  if (outcome.status !== 'finished') return 1;

  const params = await backend.getParams();
  const written = encodeLpw({ net: graph.name, tensors: storedMasters(setup.graph, params) });
  const wd = 'diagnostics' in written ? written.diagnostics : [writeFileDurable(join(runDir, 'weights.lpw'), written.bytes)].filter((d) => d !== undefined);
  const stats = outcome.stats ?? [];
  const sd = writeFileDurable(join(runDir, 'stats.json'), `${JSON.stringify({ net: graph.name, split: 'test', items: data.test.count, tensors: stats.map(statsToJson) }, null, 1)}\n`);
  if (wd.length > 0 || sd) return fail(io, [...wd, ...(sd ? [sd] : [])]);

  const last = outcome.state.history[outcome.state.history.length - 1];
  const test = outcome.lastTest ?? (last ? { accuracy: last.testAccuracy, loss: last.testLoss } : undefined);
  io.out(
    `trained ${graph.name} for ${outcome.state.step} steps (${outcome.state.history.length} epoch${outcome.state.history.length === 1 ? '' : 's'}) in ${formatDuration(outcome.state.seconds)} on ${backend.name}` +
      (test ? `: test accuracy ${percent(test.accuracy)}, loss ${test.loss.toFixed(4)}` : ''),
  );
  for (const line of statsTable(stats, { width: options.width })) io.out(line);
  io.out(`wrote ${join(shown, 'weights.lpw')}, ${join(shown, 'stats.json')}, ${join(shown, 'metrics.jsonl')}`);
  return 0;
}

/** How weights are kept, for the start line: nothing to say with master weights (the default). */
function describeStorage(setup: PreparedRun['setup']): string {
  if (setup.masterWeights !== false) return '';
  const n = storedWeights(setup.graph).size;
  return n === 0
    ? ', no master weights (but no parameter has a declared fixed type: all stay f32)'
    : `, no master weights (${n} parameter${n === 1 ? '' : 's'} stored in ${n === 1 ? 'its' : 'their'} declared fixed-point type${n === 1 ? '' : 's'})`;
}

function initialWeights(p: PreparedRun, options: TrainCliOptions, reporter: Reporter, io: CliIO) {
  if (options.weights === undefined) return initWeights(p.setup.graph, p.settings.seed);
  const r = loadWeightsFile(p.setup.graph, fromCwd(io, options.weights), options.weights);
  printDiagnostics(reporter, r.diagnostics);
  return r.weights;
}
