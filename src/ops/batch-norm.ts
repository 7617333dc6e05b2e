import type { Attrs } from '../ir/graph.js';
import type { CpuContext, OpDef } from './op-def.js';
import type { Tensor } from '../numeric/tensor.js';
import { boolAttr, floatAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';
import { formatShape, productOf } from './shape-util.js';
import { batchNormForward } from './batch-norm.wgsl.js';
import { batchNormBackward } from './batch-norm.wgsl-backward.js';

/**
 * Batch normalisation, Caffe's BatchNorm (no learned scale/shift: a `scale` op follows it).
 * Per channel c (axis 1), over the batch and all positions:
 *   y = (x - mean_c) / sqrt(var_c + eps)
 * With batch statistics, mean_c and var_c (biased) come from the input itself. With global
 * statistics they come from Caffe's three stored blobs, which hold running sums: mean [C],
 * variance [C] and scale_factor [1]; the statistics are mean / s and variance / s, with a
 * factor of 0 when s = 0 (an untrained layer), exactly as Caffe.
 * `use_global_stats` absent: batch statistics when training, stored ones otherwise.
 * The stored blobs are not trained by gradient; training updates them with
 * `updatedBatchNormStats` after each forward pass that used batch statistics.
 */

interface ChannelLayout {
  n: number;
  c: number;
  inner: number;
}

function layoutOf(shape: readonly number[]): ChannelLayout {
  return { n: shape[0], c: shape[1], inner: productOf(shape.slice(2)) };
}

function usesGlobalStats(attrs: Attrs, ctx: CpuContext): boolean {
  return attrs.use_global_stats === undefined ? !ctx.training : boolAttr(attrs, 'use_global_stats');
}

/** 1/s, or 0 when s = 0 (Caffe's scale_factor rule). */
function storedFactor(scaleFactor: Tensor): number {
  const s = scaleFactor.data[0];
  return s === 0 ? 0 : 1 / s;
}

/** Per-channel mean and biased variance of x over the batch and positions. */
function batchStats(x: Float64Array, l: ChannelLayout): { mean: Float64Array; variance: Float64Array } {
  const count = l.n * l.inner;
  const mean = new Float64Array(l.c);
  const variance = new Float64Array(l.c);
  for (let ch = 0; ch < l.c; ch++) {
    let sum = 0;
    for (let b = 0; b < l.n; b++) for (let i = 0; i < l.inner; i++) sum += x[(b * l.c + ch) * l.inner + i];
    const m = sum / count;
    let sq = 0;
    for (let b = 0; b < l.n; b++) {
      for (let i = 0; i < l.inner; i++) {
        const d = x[(b * l.c + ch) * l.inner + i] - m;
        sq += d * d;
      }
    }
    mean[ch] = m;
    variance[ch] = sq / count;
  }
  return { mean, variance };
}

/** The statistics the forward pass normalises with. */
function normalisingStats(x: Tensor, params: Tensor[], attrs: Attrs, ctx: CpuContext): { mean: Float64Array; variance: Float64Array } {
  const l = layoutOf(x.shape);
  if (!usesGlobalStats(attrs, ctx)) return batchStats(x.data, l);
  const f = storedFactor(params[2]);
  const mean = new Float64Array(l.c);
  const variance = new Float64Array(l.c);
  for (let ch = 0; ch < l.c; ch++) {
    mean[ch] = params[0].data[ch] * f;
    variance[ch] = params[1].data[ch] * f;
  }
  return { mean, variance };
}

/**
 * The stored blobs after a training forward pass with batch statistics (Caffe's update):
 *   s' = s * maf + 1;  mean' = mean * maf + batch_mean;  var' = var * maf + m/(m-1) * batch_var
 * where m = elements per channel (the unbiased correction; 1 when m = 1). Returns new tensors.
 */
export function updatedBatchNormStats(
  x: Tensor,
  stored: { mean: Tensor; variance: Tensor; scaleFactor: Tensor },
  movingAverageFraction: number,
): { mean: Tensor; variance: Tensor; scaleFactor: Tensor } {
  const l = layoutOf(x.shape);
  const { mean, variance } = batchStats(x.data, l);
  const m = l.n * l.inner;
  const correction = m > 1 ? m / (m - 1) : 1;
  const newMean = new Float64Array(l.c);
  const newVariance = new Float64Array(l.c);
  for (let ch = 0; ch < l.c; ch++) {
    newMean[ch] = stored.mean.data[ch] * movingAverageFraction + mean[ch];
    newVariance[ch] = stored.variance.data[ch] * movingAverageFraction + correction * variance[ch];
  }
  const s = stored.scaleFactor.data[0] * movingAverageFraction + 1;
  return {
    mean: { shape: [l.c], data: roundF32(newMean) },
    variance: { shape: [l.c], data: roundF32(newVariance) },
    scaleFactor: { shape: [1], data: roundF32(Float64Array.of(s)) },
  };
}

export const batchNormOp: OpDef = {
  name: 'batch_norm',
  doc: 'Batch normalisation per channel (Caffe BatchNorm, without scale and shift: follow it with `scale`): y = (x - mean) / sqrt(var + eps). Uses batch statistics when training and the stored running statistics (mean/s, variance/s) otherwise, unless use_global_stats says which. Output is f32.',
  inputs: [{ name: 'x', doc: 'input activations [batch, channels, ...]' }],
  attrs: {
    eps: { kind: 'float', default: 1e-5, min: 0, doc: 'added to the variance before the square root' },
    use_global_stats: {
      kind: 'bool',
      optional: true,
      doc: 'true: always normalise with the stored statistics; false: always with batch statistics; absent: batch statistics in training only',
    },
    moving_average_fraction: {
      kind: 'float',
      default: 0.999,
      min: 0,
      max: 1,
      doc: 'decay of the stored running statistics per training step',
    },
  },
  params(_attrs, inputs) {
    const c = inputs[0]?.shape[1] ?? 0;
    return [
      { slot: 'mean', shape: [c], filler: { kind: 'constant', value: 0 }, trainable: false },
      { slot: 'variance', shape: [c], filler: { kind: 'constant', value: 0 }, trainable: false },
      { slot: 'scale_factor', shape: [1], filler: { kind: 'constant', value: 0 }, trainable: false },
    ];
  },
  inferShape(inputs) {
    const shape = inputs[0].shape;
    if (shape.length < 2) {
      return {
        ok: false,
        message: `batch_norm normalises per channel (axis 1), but the input has shape ${formatShape(shape)}`,
        hint: 'apply batch_norm to a [batch, channels, ...] tensor',
        blame: 'x',
      };
    }
    return { ok: true, shape: [...shape] };
  },
  differentiable: true,
  cpu: {
    forward({ inputs, params, attrs, outType, ctx }) {
      const x = inputs[0];
      const l = layoutOf(x.shape);
      const eps = floatAttr(attrs, 'eps', 1e-5);
      const { mean, variance } = normalisingStats(x, params, attrs, ctx);
      const y = new Float64Array(x.data.length);
      for (let b = 0; b < l.n; b++) {
        for (let ch = 0; ch < l.c; ch++) {
          const inv = 1 / Math.sqrt(variance[ch] + eps);
          for (let i = 0; i < l.inner; i++) {
            const at = (b * l.c + ch) * l.inner + i;
            y[at] = (x.data[at] - mean[ch]) * inv;
          }
        }
      }
      return { shape: [...x.shape], data: roundToStorage(y, outType.dtype) };
    },
    /**
     * Batch statistics: dx = inv * (dy - mean(dy) - xhat * mean(dy * xhat)), per channel.
     * Stored statistics: dx = inv * dy, and the stored blobs get their true derivatives
     * (they are not trainable, so training ignores them, but they are exact).
     */
    backward({ inputs, params, attrs, gradOutput, ctx }) {
      const x = inputs[0];
      const l = layoutOf(x.shape);
      const eps = floatAttr(attrs, 'eps', 1e-5);
      const dy = gradOutput.data;
      const { mean, variance } = normalisingStats(x, params, attrs, ctx);
      const global = usesGlobalStats(attrs, ctx);
      const count = l.n * l.inner;
      const dx = new Float64Array(x.data.length);
      const dMean = new Float64Array(l.c);
      const dVariance = new Float64Array(l.c);
      let dScaleFactor = 0;
      const f = global ? storedFactor(params[2]) : 0;
      for (let ch = 0; ch < l.c; ch++) {
        const inv = 1 / Math.sqrt(variance[ch] + eps);
        let sumDy = 0;
        let sumDyCentered = 0; // sum of dy * (x - mean)
        for (let b = 0; b < l.n; b++) {
          for (let i = 0; i < l.inner; i++) {
            const at = (b * l.c + ch) * l.inner + i;
            sumDy += dy[at];
            sumDyCentered += dy[at] * (x.data[at] - mean[ch]);
          }
        }
        const sumDyXhat = sumDyCentered * inv;
        for (let b = 0; b < l.n; b++) {
          for (let i = 0; i < l.inner; i++) {
            const at = (b * l.c + ch) * l.inner + i;
            const xhat = (x.data[at] - mean[ch]) * inv;
            dx[at] = global ? inv * dy[at] : inv * (dy[at] - sumDy / count - (xhat * sumDyXhat) / count);
          }
        }
        if (global && f !== 0) {
          // y = (x - m f) * (v f + eps)^-1/2 with f = 1/s:
          //   dy/dm = -f inv;  dy/dv = -(x - mean) f inv^3 / 2;  dy/df = -m inv - (x - mean) v inv^3 / 2
          dMean[ch] = -f * inv * sumDy;
          dVariance[ch] = -0.5 * f * inv * inv * inv * sumDyCentered;
          const dF = -params[0].data[ch] * inv * sumDy - 0.5 * params[1].data[ch] * inv * inv * inv * sumDyCentered;
          const s = params[2].data[0];
          dScaleFactor += dF * (-1 / (s * s));
        }
      }
      return {
        inputs: [{ shape: [...x.shape], data: roundF32(dx) }],
        params: [
          { shape: [l.c], data: roundF32(dMean) },
          { shape: [l.c], data: roundF32(dVariance) },
          { shape: [1], data: roundF32(Float64Array.of(dScaleFactor)) },
        ],
      };
    },
  },
  wgsl: { forward: batchNormForward, backward: batchNormBackward },
};
