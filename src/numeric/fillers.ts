/**
 * Parameter initialisation (Caffe's fillers), deterministic for a seed: every value is drawn from
 * the counter-based generator (rng.ts), so the same (seed, stream) gives the same tensor on any
 * machine and in any order of parameters.
 *
 * - constant: every element = value.
 * - uniform: min + (max - min) * u.
 * - gaussian: mean + std * z, z from Box-Muller over pairs of draws (see standardNormals).
 * - xavier (Caffe's default variance_norm FAN_IN): uniform on [-a, a), a = sqrt(3 / fan_in).
 * - msra (FAN_IN): gaussian with mean 0 and std sqrt(2 / fan_in).
 * fan_in = size / shape[0] (Caffe: count / num), e.g. Cin/group * kh * kw for conv weights.
 * Every value is rounded to f32, since master weights are f32.
 */
import { uniformStream } from './rng.js';
import { sizeOf } from './tensor.js';

/**
 * How a parameter is initialised. Structurally identical to `Filler` in src/ir/graph.ts, which
 * numeric cannot import (numeric comes before ir in the folder order); an ir Filler is accepted
 * wherever a FillerSpec is expected.
 */
export type FillerSpec =
  | { kind: 'constant'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'gaussian'; mean: number; std: number }
  | { kind: 'xavier' }
  | { kind: 'msra' };

/**
 * The `step` key fillers draw with. Training steps count up from 0, so reserving the largest u32
 * keeps initialisation draws apart from the stochastic rounding and dropout draws of any step,
 * even when a caller uses the same stream id for both.
 */
export const FILLER_STEP = 0xffffffff;

/** Caffe's fan_in: elements per output unit (size / shape[0]); 1 for scalars and empty leading dims. */
export function fanIn(shape: readonly number[]): number {
  if (shape.length === 0 || shape[0] === 0) return 1;
  return sizeOf(shape) / shape[0];
}

/**
 * n standard normal numbers by Box-Muller: pair p uses draws 2p and 2p+1, giving
 * r = sqrt(-2 ln(1 - u1)), out[2p] = r cos(2 pi u2), out[2p+1] = r sin(2 pi u2).
 * (1 - u1 lies in (0, 1], so the log is finite.)
 */
export function standardNormals(n: number, seed: number, stream: number): Float64Array {
  const draw = uniformStream(seed, FILLER_STEP, stream);
  const out = new Float64Array(n);
  for (let p = 0; 2 * p < n; p++) {
    const r = Math.sqrt(-2 * Math.log(1 - draw(2 * p)));
    const angle = 2 * Math.PI * draw(2 * p + 1);
    out[2 * p] = r * Math.cos(angle);
    if (2 * p + 1 < n) out[2 * p + 1] = r * Math.sin(angle);
  }
  return out;
}

function uniformValues(n: number, min: number, max: number, seed: number, stream: number): Float64Array {
  const draw = uniformStream(seed, FILLER_STEP, stream);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(min + (max - min) * draw(i));
  return out;
}

function gaussianValues(n: number, mean: number, std: number, seed: number, stream: number): Float64Array {
  const z = standardNormals(n, seed, stream);
  for (let i = 0; i < n; i++) z[i] = Math.fround(mean + std * z[i]);
  return z;
}

/** The initial values of a parameter of `shape`; `stream` tells parameters apart under one seed. */
export function fillTensor(filler: FillerSpec, shape: number[], seed: number, stream: number): Float64Array {
  const n = sizeOf(shape);
  switch (filler.kind) {
    case 'constant':
      return new Float64Array(n).fill(Math.fround(filler.value));
    case 'uniform':
      return uniformValues(n, filler.min, filler.max, seed, stream);
    case 'gaussian':
      return gaussianValues(n, filler.mean, filler.std, seed, stream);
    case 'xavier': {
      const a = Math.sqrt(3 / fanIn(shape));
      return uniformValues(n, -a, a, seed, stream);
    }
    case 'msra':
      return gaussianValues(n, 0, Math.sqrt(2 / fanIn(shape)), seed, stream);
  }
}
