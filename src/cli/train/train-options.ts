import { InvalidArgumentError } from 'commander';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { TRAIN_CODES } from '../../runtime/train/codes.js';
import type { RunRecord } from '../../runtime/train/run-record.js';

/** Option parsers and the resume rules of `lpc train`. */

export function parseCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

export function parseSteps(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number >= 0 (0: only after each epoch)');
  return n;
}

export function parseMean(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v))) {
    throw new InvalidArgumentError('the mean is a number, or one number per channel separated by commas (e.g. 104,117,123)');
  }
  return values;
}

export function parsePercentile(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n > 0 && n <= 1)) throw new InvalidArgumentError('the percentile is a fraction in (0, 1], e.g. 0.999');
  return n;
}

export interface TrainCliOptions {
  net?: string;
  param: string[];
  data?: string;
  epochs?: number;
  batch?: number;
  weights?: string;
  backend?: string;
  out?: string;
  resume?: string;
  limitTrain?: number;
  limitTest?: number;
  seed?: number;
  checkpointEvery: number;
  scale?: number;
  mean?: number[];
  width: number;
  /** --master-weights / --no-master-weights; undefined: the train section's `master_weights`. */
  masterWeights?: boolean;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The options of a resumed run: each one not given is taken from the run record; one given that
 * would change the run (other data, batch, seed, limits, transform, master weights) is refused. The
 * recorded master-weights mode wins over the train section, which may have changed since. --epochs may grow
 * (to train longer), and --backend may change (a run can continue on another device, with that
 * device's rounding from then on).
 */
export function resumeOptions(opts: TrainCliOptions, record: RunRecord): { options: TrainCliOptions; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const conflict = (option: string, given: unknown, recorded: unknown) =>
    diagnostics.push(
      error(TRAIN_CODES.RESUME_MISMATCH, `--resume: the run was started with ${option} ${JSON.stringify(recorded)}, not ${JSON.stringify(given)}`, undefined, {
        hint: `omit ${option} when resuming (the run folder remembers it), or start a new run with another --out folder`,
      }),
    );
  const pick = <K extends keyof TrainCliOptions>(key: K, option: string, recorded: TrainCliOptions[K]): TrainCliOptions[K] => {
    const given = opts[key];
    if (given !== undefined && recorded !== undefined && !same(given, recorded)) conflict(option, given, recorded);
    return given ?? recorded;
  };
  // Old run records (before stored weights existed) trained with master weights.
  const recordedMasters = record.masterWeights ?? true;
  if (opts.masterWeights !== undefined && opts.masterWeights !== recordedMasters) {
    diagnostics.push(
      error(
        TRAIN_CODES.RESUME_MISMATCH,
        `--resume: the run was started ${recordedMasters ? 'with f32 master weights' : 'with weights stored in their declared types (no master weights)'}; ${opts.masterWeights ? '--master-weights' : '--no-master-weights'} would change that`,
        undefined,
        { hint: 'omit --master-weights / --no-master-weights when resuming, or start a new run with another --out folder' },
      ),
    );
  }
  if (opts.weights !== undefined) {
    diagnostics.push(
      error(TRAIN_CODES.RESUME_MISMATCH, '--weights starts a run from given weights; --resume continues from the checkpoint\'s weights', undefined, {
        hint: 'drop --weights when resuming',
      }),
    );
  }
  const options: TrainCliOptions = {
    ...opts,
    // The net parameters the run was built with (their spellings parse back), unless given again.
    param: opts.param.length > 0 ? opts.param : Object.entries(record.netParams).filter(([k]) => k !== 'batch').map(([k, v]) => `${k}=${String(v)}`),
    net: pick('net', '--net', record.net),
    data: pick('data', '--data', record.data),
    batch: pick('batch', '--batch', record.batch),
    seed: pick('seed', '--seed', record.seed),
    limitTrain: pick('limitTrain', '--limit-train', record.limitTrain),
    limitTest: pick('limitTest', '--limit-test', record.limitTest),
    scale: pick('scale', '--scale', record.transform.scale),
    mean: pick('mean', '--mean', record.transform.mean),
    epochs: opts.epochs ?? record.epochs,
    backend: opts.backend ?? record.backend,
    masterWeights: recordedMasters,
  };
  return { options, diagnostics };
}
