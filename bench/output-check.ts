/**
 * Checks on what an engine computed, so that a fast but wrong engine (a layer silently skipped, a
 * binding over the adapter's limit that failed validation and left zeros) cannot pass as a result:
 * the output must have the workload's shape and finite values, and it is compared with a reference
 * engine's output on the same weights and input.
 */
import type { RunOutput } from './engines/engine.js';
import { nhwcToNchw } from './weights.js';

export interface OutputCheck {
  shape: number[];
  shapeOk: boolean;
  nonFinite: number;
  /** Largest |this - reference| over all elements, when a reference ran. */
  maxAbsDiff?: number;
  reference?: string;
}

/** The output as a flat NCHW Float32Array. */
export function outputNchw(out: RunOutput): Float32Array {
  if (out.layout === 'nhwc' && out.shape.length === 4) return nhwcToNchw(out.data, out.shape);
  return Float32Array.from(out.data);
}

export function checkOutput(out: RunOutput, expectedShape: readonly number[]): OutputCheck {
  const count = expectedShape.reduce((a, b) => a * b, 1);
  const shapeOk = out.shape.length === expectedShape.length && out.shape.every((d, i) => d === expectedShape[i]) && out.data.length === count;
  let nonFinite = 0;
  for (let i = 0; i < out.data.length; i++) if (!Number.isFinite(out.data[i])) nonFinite++;
  return { shape: [...out.shape], shapeOk, nonFinite };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return Number.NaN;
    if (d > m) m = d;
  }
  return m;
}
