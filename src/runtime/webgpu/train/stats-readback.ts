import { EXPONENT_BINS, emptyStats, type TensorStats } from '../../train/layer-stats.js';
import { MAGNITUDE_BINS } from '../../train/magnitude-histogram.js';
import { bitsToFloat, keyToFloat, STATS_EXPONENTS, STATS_HISTOGRAM } from './kernels/tensor-stats.js';
import type { StatsTarget } from './stats-program.js';

/**
 * The host side of the GPU statistics: one tensor's counter block (kernels/tensor-stats.ts) as a
 * TensorStats (layer-stats.ts), the element count the host's (valid rows times the row size).
 * Blocks are read back after every evaluation that collects and merged on the host in f64, so no
 * GPU counter accumulates past one batch (no u32 overflow however long the test set).
 */
export function statsFromBlock(t: StatsTarget, words: Uint32Array, count: number, histograms: boolean): TensorStats {
  const s = emptyStats(t.layer, t.tensor, t.op, t.kind, t.type);
  s.count = count;
  s.zeros = words[0];
  s.saturated = words[1];
  s.nan = words[2];
  s.infinite = words[3];
  if (words[4] !== 0xffffffff) s.min = keyToFloat(words[4]);
  if (words[5] !== 0) s.max = keyToFloat(words[5]);
  s.maxAbs = bitsToFloat(words[6]);
  for (let e = 0; e < EXPONENT_BINS; e++) s.exponents[e] = words[STATS_EXPONENTS + e];
  if (histograms) s.histogram = Array.from(words.subarray(STATS_HISTOGRAM, STATS_HISTOGRAM + MAGNITUDE_BINS));
  return s;
}

/** Elements a target counts in a batch with `valid` real rows. */
export function countedElements(t: StatsTarget, valid: number): number {
  return t.perRow !== undefined ? valid * t.perRow : t.elements;
}
