import { evalBatch, evalBatchCount, type InputTransform } from '../data/batches.js';
import type { DataSplit } from '../data/dataset.js';
import type { TrainBackend } from './backend.js';

export interface SplitScore {
  /** Mean of the per-batch losses. */
  loss: number;
  /** Top-1 accuracy over the counted items. */
  accuracy: number;
  correct: number;
  counted: number;
  /** Items evaluated (the split's count). */
  items: number;
}

/**
 * Evaluates a whole split in data order, batch by batch (the last batch padded, its padding not
 * counted), optionally accumulating layer statistics on the backend. Used after every epoch and
 * by `lpc eval`.
 */
export async function evaluateSplit(
  backend: TrainBackend,
  split: DataSplit,
  batch: number,
  transform: InputTransform,
  opts: { collectStats: boolean; onBatch?: (done: number, total: number) => void },
): Promise<SplitScore> {
  const batches = evalBatchCount(split.count, batch);
  let loss = 0;
  let correct = 0;
  let counted = 0;
  for (let b = 0; b < batches; b++) {
    const r = await backend.evaluate(evalBatch(split, b, batch, transform), { collectStats: opts.collectStats });
    loss += r.loss;
    correct += r.correct;
    counted += r.counted;
    opts.onBatch?.(b + 1, batches);
  }
  return { loss: batches === 0 ? 0 : loss / batches, accuracy: counted === 0 ? 0 : correct / counted, correct, counted, items: split.count };
}
