import { describeTransform } from '../../runtime/data/batches.js';
import { writeFileAtomic } from '../../runtime/io/atomic-write.js';
import { evaluateSplit } from '../../runtime/train/evaluate.js';
import { statsToJson } from '../../runtime/train/layer-stats.js';
import { finiteOrNull } from '../../runtime/train/metrics-log.js';
import { loadWeightsFile } from '../../runtime/weights/match-weights.js';
import type { CliIO } from '../io.js';
import { fromCwd, printDiagnostics } from '../run/load-net.js';
import { prepareRun } from './prepare-run.js';
import { percent } from './progress.js';
import { statsTable } from './stats-table.js';

export interface EvalCliOptions {
  net?: string;
  param: string[];
  weights: string;
  data: string;
  batch?: number;
  split: 'test' | 'train';
  limit?: number;
  backend: string;
  scale?: number;
  mean?: number[];
  width: number;
  percentile: number;
  json?: string;
}

/** `lpc eval`: accuracy of given weights on a split, and the per-layer statistics of that pass. */
export async function runEvalCommand(file: string, opts: EvalCliOptions, io: CliIO): Promise<number> {
  const prepared = await prepareRun(
    file,
    { ...opts, limitTrain: opts.split === 'train' ? opts.limit : undefined, limitTest: opts.split === 'test' ? opts.limit : undefined },
    io,
    'eval',
  );
  if (!prepared) return 1;
  const { graph, reporter, setup, backend, data, transform, batch } = prepared;
  try {
    const loaded = loadWeightsFile(setup.graph, fromCwd(io, opts.weights), opts.weights);
    printDiagnostics(reporter, loaded.diagnostics);
    if (!loaded.weights) return 1;
    await backend.setParams(loaded.weights);
    const split = opts.split === 'train' ? data.train : data.test;
    const score = await evaluateSplit(backend, split, batch, transform, { collectStats: true });
    const stats = await backend.takeStats();

    io.out(
      `${graph.name} on the ${data.name} ${opts.split} split (${split.count} items, input ${describeTransform(transform)}, ${backend.name}): accuracy ${percent(score.accuracy)} (${score.correct}/${score.counted}), loss ${score.loss.toFixed(4)}`,
    );
    for (const line of statsTable(stats, { width: opts.width, percentile: opts.percentile })) io.out(line);
    if (opts.json !== undefined) {
      const text = JSON.stringify(
        { net: graph.name, data: data.name, split: opts.split, weights: opts.weights, backend: backend.name, ...score, tensors: stats.map(statsToJson) },
        finiteOrNull,
        1,
      );
      const d = writeFileAtomic(fromCwd(io, opts.json), `${text}\n`);
      if (d) {
        printDiagnostics(reporter, [d]);
        return 1;
      }
      io.err(`wrote ${opts.json}`);
    }
    return 0;
  } finally {
    await backend.dispose();
  }
}
