import { appendFileSync, statSync, truncateSync } from 'node:fs';

/**
 * The metrics log of a run (`metrics.jsonl`): one JSON object per line, appended as training goes,
 * so it can be followed with `tail -f` and read by any tool. Records (field `type`):
 *
 *   start   { type, step, time, resumed }                      a session of the run began
 *   step    { type, step, epoch, loss, accuracy, lr, imagesPerSecond, time }
 *           loss and accuracy are means over the steps since the previous step record
 *   test    { type, step, epoch, loss, accuracy, count, time } an evaluation on the test split
 *   epoch   { type, epoch, step, trainLoss, trainAccuracy, testLoss, testAccuracy, seconds, time }
 *   diverged{ type, step, epoch, loss, where, layer, value, time }
 *
 * `step` counts steps done (the first step's record says 1); `epoch` counts from 1. A checkpoint
 * records the log's length, and a resumed run cuts the log back to it first, so the log of a run
 * that was killed and resumed reads like the log of a run that never stopped (plus `start` lines).
 */
export type MetricsRecord = { type: string } & Record<string, unknown>;

export class MetricsLog {
  constructor(readonly path: string) {}

  append(record: MetricsRecord): void {
    appendFileSync(this.path, `${JSON.stringify({ ...record, time: new Date().toISOString() }, finiteOrNull)}\n`);
  }

  /** Bytes in the log now (0 when it does not exist yet). */
  size(): number {
    try {
      return statSync(this.path).size;
    } catch {
      return 0;
    }
  }

  /** Cuts the log back to `bytes` (a length recorded by a checkpoint). */
  truncateTo(bytes: number): void {
    if (this.size() > bytes) truncateSync(this.path, bytes);
  }
}

/** JSON has no NaN or Infinity: they are written as null (a diverged loss). */
export function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
