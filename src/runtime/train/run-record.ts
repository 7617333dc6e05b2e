import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { InputTransform } from '../data/batches.js';
import { TRAIN_CODES } from './codes.js';
import { writeFileDurable } from './durable-write.js';
import type { LrPolicy } from './lr-policy.js';
import type { SolverSpec } from './solver-spec.js';

/**
 * `run.json`: what a run is, written when it starts: the net, the data and its transform, the
 * seed, batch and epochs, the solver, the backend. `--resume` reads it to continue with the same
 * settings, and refuses settings that would make the continuation a different run.
 */

export const RUN_FILE = 'run.json';
export const RUN_FORMAT = 1;

export interface RunRecord {
  format: number;
  /** The .lpnet file as given (resolved against the folder lpc ran in). */
  netFile: string;
  net: string;
  /** Net parameters the graph was built with (batch, classes, ...). */
  netParams: Record<string, number | boolean | string>;
  /** `--data` as given, the data set's name and folder. */
  data: string;
  dataName: string;
  dataSource: string;
  limitTrain?: number;
  limitTest?: number;
  trainItems: number;
  testItems: number;
  transform: InputTransform;
  backend: string;
  device: string;
  seed: number;
  batch: number;
  epochs: number;
  maxSteps?: number;
  solver: SolverSpec;
  policy: LrPolicy;
  /** False: weights stored in their declared types (`master_weights false`). Absent in records written before the setting existed: true. */
  masterWeights?: boolean;
  checkpointEvery: number;
  /** `fillers` or the --weights file the run started from. */
  initialWeights: string;
  lpcVersion: string;
  started: string;
}

export function writeRunRecord(runDir: string, record: RunRecord): Diagnostic | undefined {
  return writeFileDurable(join(runDir, RUN_FILE), `${JSON.stringify(record, null, 1)}\n`);
}

export function hasRunRecord(runDir: string): boolean {
  return existsSync(join(runDir, RUN_FILE));
}

export function readRunRecord(runDir: string): { record?: RunRecord; diagnostics: Diagnostic[] } {
  const path = join(runDir, RUN_FILE);
  if (!existsSync(path)) {
    return {
      diagnostics: [
        error(TRAIN_CODES.NO_CHECKPOINT, `'${runDir}' is not a training run folder (it has no ${RUN_FILE})`, undefined, {
          hint: 'pass the --out folder of an earlier `lpc train` run',
        }),
      ],
    };
  }
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunRecord>;
    const ok =
      r.format === RUN_FORMAT &&
      typeof r.netFile === 'string' &&
      typeof r.net === 'string' &&
      typeof r.data === 'string' &&
      typeof r.seed === 'number' &&
      typeof r.batch === 'number' &&
      typeof r.epochs === 'number' &&
      typeof r.backend === 'string' &&
      typeof r.transform === 'object' &&
      typeof r.netParams === 'object';
    if (!ok) throw new Error(`it is not a run record of format ${RUN_FORMAT}`);
    return { record: r as RunRecord, diagnostics: [] };
  } catch (e) {
    return {
      diagnostics: [
        error(TRAIN_CODES.BAD_CHECKPOINT, `${path} cannot be read: ${e instanceof Error ? e.message : String(e)}`, undefined, {
          hint: 'the run folder was changed or damaged; start the run again with a new --out folder',
        }),
      ],
    };
  }
}
