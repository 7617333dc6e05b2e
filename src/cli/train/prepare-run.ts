import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import { defaultTransform, stepsPerEpoch, type InputTransform } from '../../runtime/data/batches.js';
import { DATASET_CODES } from '../../runtime/data/dataset-codes.js';
import { limitSplit, type Dataset } from '../../runtime/data/dataset.js';
import { openDataset } from '../../runtime/data/fashion-mnist.js';
import type { TrainBackend, TrainBackendSetup } from '../../runtime/train/backend.js';
import { createTrainBackend } from '../../runtime/train/backend-registry.js';
import { TRAIN_CODES } from '../../runtime/train/codes.js';
import { buildTrainSetup, resolveSettings, type TrainSettings } from '../../runtime/train/session.js';
import { analyzeTrainNet, checkDataFits } from '../../runtime/train/train-net.js';
import type { CliIO } from '../io.js';
import { hasErrors, loadNet, printDiagnostics, type Reporter } from '../run/load-net.js';

/**
 * What `lpc train` and `lpc eval` share: the net lowered with the batch asked for, its settings,
 * the data set (limited, with its input transform), the training graph and a backend. Prints
 * every diagnostic; returns undefined when there is an error.
 */

export interface RunInputs {
  net?: string;
  param: string[];
  data: string;
  batch?: number;
  epochs?: number;
  seed?: number;
  limitTrain?: number;
  limitTest?: number;
  scale?: number;
  mean?: number[];
  backend: string;
  /** --master-weights / --no-master-weights (undefined: the train section's). */
  masterWeights?: boolean;
}

export interface PreparedRun {
  graph: Graph;
  reporter: Reporter;
  settings: TrainSettings;
  batch: number;
  data: Dataset;
  transform: InputTransform;
  setup: TrainBackendSetup;
  backend: TrainBackend;
}

function fail(reporter: Reporter, diagnostics: Diagnostic[]): undefined {
  printDiagnostics(reporter, diagnostics);
  return undefined;
}

/** Lowers the net; when the settings ask for another batch than the net's, lowers it again with `batch` set. */
function loadWithBatch(file: string, o: RunInputs, io: CliIO, mode: 'train' | 'eval'): { graph: Graph; reporter: Reporter; settings: TrainSettings } | undefined {
  const loaded = loadNet(file, o, io);
  if (!loaded) return undefined;
  const { reporter } = loaded;
  const resolved = resolveSettings(loaded.graph, { epochs: o.epochs, seed: o.seed, batch: o.batch, masterWeights: o.masterWeights });
  // Evaluation does not train: a missing train section is not worth a warning there.
  printDiagnostics(reporter, mode === 'train' ? resolved.diagnostics : resolved.diagnostics.filter((d) => d.severity === 'error'));
  if (!resolved.settings) return undefined;
  const settings = resolved.settings;
  const analyzed = analyzeTrainNet(loaded.graph);
  if (!analyzed.net) return fail(reporter, analyzed.diagnostics);
  const want = settings.batch;
  if (want === undefined || want === analyzed.net.batch) return { graph: loaded.graph, reporter, settings };
  const byParam = o.param.some((p) => p.trim().startsWith('batch='));
  if (!('batch' in loaded.graph.netParams) || byParam) {
    const why = byParam ? '--param batch=... sets it already' : `net '${loaded.graph.name}' has no \`batch\` parameter`;
    return fail(reporter, [
      error(TRAIN_CODES.BATCH_NOT_SETTABLE, `a batch of ${want} was asked for (${o.batch !== undefined ? '--batch' : 'the train section'}), but ${why}; the net's batch is ${analyzed.net.batch}`, undefined, {
        hint: byParam ? 'give the batch once: --batch N or --param batch=N' : 'declare the net with a `batch: int` parameter used in its input shapes',
      }),
    ]);
  }
  const again = loadNet(file, { net: o.net, param: [...o.param, `batch=${want}`] }, io);
  if (!again) return undefined;
  return { graph: again.graph, reporter: again.reporter, settings };
}

export async function prepareRun(file: string, o: RunInputs, io: CliIO, mode: 'train' | 'eval'): Promise<PreparedRun | undefined> {
  const loaded = loadWithBatch(file, o, io, mode);
  if (!loaded) return undefined;
  const { graph, reporter, settings } = loaded;
  const opened = openDataset(o.data, { cwd: io.cwd });
  if (!opened.dataset) return fail(reporter, opened.diagnostics);
  const full = opened.dataset;
  const data: Dataset = { ...full, train: limitSplit(full.train, o.limitTrain), test: limitSplit(full.test, o.limitTest) };

  // Evaluation does not update weights: it runs them as given, whatever the training mode.
  const built = buildTrainSetup(graph, settings.solver, settings.seed, { forTraining: mode === 'train', masterWeights: mode === 'train' ? settings.masterWeights : true });
  printDiagnostics(reporter, built.diagnostics);
  if (!built.setup || hasErrors(built.diagnostics)) return undefined;
  const setup = built.setup;
  const batch = setup.net.batch;
  const problems = checkDataFits(setup.net, graph.name, data);
  if (mode === 'train' && stepsPerEpoch(data.train.count, batch) === 0) {
    problems.push(
      error(DATASET_CODES.TOO_SMALL, `the training split has ${data.train.count} items, fewer than one batch of ${batch}`, undefined, {
        hint: 'lower the batch (--batch N) or raise --limit-train',
      }),
    );
  }
  if (data.test.count === 0) {
    problems.push(error(DATASET_CODES.TOO_SMALL, 'the test split is empty', undefined, { hint: 'raise --limit-test' }));
  }
  if (problems.length > 0) return fail(reporter, problems);

  const transform = defaultTransform(data.pixelType);
  if (o.scale !== undefined) transform.scale = o.scale;
  if (o.mean !== undefined) transform.mean = o.mean;
  const channels = data.train.imageShape[0];
  if (transform.mean.length !== 1 && transform.mean.length !== channels) {
    return fail(reporter, [
      error(TRAIN_CODES.INPUT_SHAPE, `--mean gives ${transform.mean.length} values but the images have ${channels} channels`, undefined, {
        hint: 'give one mean for all channels or one per channel, separated by commas',
      }),
    ]);
  }
  const made = await createTrainBackend(o.backend, setup);
  if (!made.backend) return fail(reporter, made.diagnostics);
  printDiagnostics(reporter, made.diagnostics);
  return { graph, reporter, settings, batch, data, transform, setup, backend: made.backend };
}
