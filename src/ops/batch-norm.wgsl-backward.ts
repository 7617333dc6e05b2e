import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelBackwardRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { paramValue, scratchId } from '../codegen/wgsl/lib/templates/kernel-io.js';
import { GradKernel } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { reduceWorkgroupSize, workgroupReduce } from '../codegen/wgsl/lib/templates/workgroup-reduce.js';
import { channelLayout, usesGlobalStats } from './batch-norm.wgsl.js';

/**
 * The WGSL backward of batch_norm, per channel c over the batch and positions (count elements):
 *
 * Batch statistics (training, unless use_global_stats: true): two dispatches. The first, one
 * workgroup per channel, recomputes the forward's mean and biased variance (two passes over x, as
 * the forward kernel) and sums dy and dy * (x - mean); the second, one invocation per element:
 *   dx = inv * (dy - sum(dy) / count - xhat * sum(dy * xhat) / count),  inv = 1 / sqrt(var + eps)
 * Stored statistics: dx = inv * dy with inv from the stored mean / s, variance / s (s = 0: factor 0).
 *
 * The stored blobs are not trainable (the plan never asks for their gradients; asking is a
 * generator error). The reference sums in f64; the kernel's f32 partial sums agree within the f32
 * tolerance relative to the terms' magnitudes.
 */
export function batchNormBackward(req: KernelBackwardRequest): KernelDispatch[] {
  if (req.gradParams.some((g) => g !== undefined)) {
    throw new Error(`batch_norm '${req.node}': its stored statistics are not trained by gradient, so the WGSL backward computes no gradient for them`);
  }
  const target = req.gradInputs[0];
  if (!target) return [];
  const accumulate = req.accumulateInputs[0] ?? false;
  const k = new GradKernel(req, 'batch_norm');
  const x = k.input('x', req.inputs[0]);
  const { shape, channels, inner, eps: epsU, ch, channelLine } = channelLayout(k, req);
  if (usesGlobalStats(req)) {
    // dx = inv * dy needs only the variance and the scale factor
    const variance = k.input('variance', req.params[1]);
    const factor = k.input('scale_factor', req.params[2]);
    return [
      k.finish(target, accumulate, (i) => ({
        lines: [
          channelLine(`${i}`),
          `let lpc_s = ${paramValue(k.b, req, 2, factor, 0, k.rng)};`,
          `let lpc_f = select(1.0 / lpc_s, 0.0, lpc_s == 0.0);`,
          `let lpc_v = ${paramValue(k.b, req, 1, variance, ch, k.rng)} * lpc_f;`,
        ],
        value: wgsl('f32', `(1.0 / sqrt(lpc_v + ${epsU})) * ${k.gradOut(i)}`),
      })),
    ];
  }
  const stats = scratchId(req, 'batch-norm-grad-stats');
  const count = shape[0] * inner;
  const st = k.scratchBuffer('bn_gstats', stats, 'read', 16 * channels);
  const n = k.uniform('bn_count', 'f32', count);
  return [
    statsDispatch(req, stats, channels, inner, count),
    k.finish(target, accumulate, (i) => ({
      lines: [
        channelLine(`${i}`),
        `let lpc_m = ${st}[4u * lpc_c];`,
        `let lpc_inv = 1.0 / sqrt(${st}[4u * lpc_c + 1u] + ${epsU});`,
        `let lpc_xhat = (${x.loadValue(i)} - lpc_m) * lpc_inv;`,
        `let lpc_sdy = ${st}[4u * lpc_c + 2u];`,
        `let lpc_sdyxhat = ${st}[4u * lpc_c + 3u] * lpc_inv;`,
      ],
      value: wgsl('f32', `lpc_inv * (${k.gradOut(i)} - lpc_sdy / ${n} - (lpc_xhat * lpc_sdyxhat) / ${n})`),
    })),
  ];
}

/** Per channel c: [mean, biased variance, sum dy, sum dy * (x - mean)] into stats[4c .. 4c + 3]. */
function statsDispatch(req: KernelBackwardRequest, stats: string, channels: number, inner: number, count: number): KernelDispatch {
  const size = reduceWorkgroupSize(req.capabilities, 64);
  const k = new GradKernel(req, 'batch_norm statistics', size);
  const x = k.input('x', req.inputs[0]);
  const out = k.scratchBuffer('bn_gstats', stats, 'read_write', 16 * channels);
  const c = k.uniform('bn_c', 'u32', channels);
  const cInner = k.uniform('bn_inner', 'u32', inner);
  const n = k.uniform('bn_count', 'u32', count);
  const at = wgsl('u32', 'lpc_at');
  const pass = (lines: string[]) => [
    'if (lpc_live) {',
    `  for (var lpc_j = lidx; lpc_j < ${n}; lpc_j += ${size}u) {`,
    `    let lpc_at = ((lpc_j / ${cInner}) * ${c} + lpc_ch) * ${cInner} + lpc_j % ${cInner};`,
    `    let lpc_x = ${x.loadValue(at)};`,
    ...lines.map((l) => `    ${l}`),
    '  }',
    '}',
  ];
  const body = [
    // one workgroup per channel; the grid may spill into y past the per-dimension limit
    'let lpc_ch = wid.x + wid.y * nwg.x;',
    `let lpc_live = lpc_ch < ${c};`,
    'var lpc_sum = 0.0;',
    ...pass(['lpc_sum = lpc_sum + lpc_x;']),
    ...workgroupReduce(k.b, 'bn_red', 'f32', 'sum', 'lpc_sum', 'lpc_total'),
    `let lpc_mean = lpc_total / f32(${n});`,
    'var lpc_sq = 0.0;',
    'var lpc_dy = 0.0;',
    'var lpc_dyc = 0.0;',
    ...pass([`let lpc_g = ${k.gradOut(at)};`, 'lpc_sq = lpc_sq + (lpc_x - lpc_mean) * (lpc_x - lpc_mean);', 'lpc_dy = lpc_dy + lpc_g;', 'lpc_dyc = lpc_dyc + lpc_g * (lpc_x - lpc_mean);']),
    ...workgroupReduce(k.b, 'bn_red2', 'f32', 'sum', 'lpc_sq', 'lpc_sqtotal'),
    ...workgroupReduce(k.b, 'bn_red3', 'f32', 'sum', 'lpc_dy', 'lpc_dytotal'),
    ...workgroupReduce(k.b, 'bn_red4', 'f32', 'sum', 'lpc_dyc', 'lpc_dyctotal'),
    'if (lpc_live && lidx == 0u) {',
    `  ${out}[4u * lpc_ch] = lpc_mean;`,
    `  ${out}[4u * lpc_ch + 1u] = lpc_sqtotal / f32(${n});`,
    `  ${out}[4u * lpc_ch + 2u] = lpc_dytotal;`,
    `  ${out}[4u * lpc_ch + 3u] = lpc_dyctotal;`,
    '}',
  ];
  const max = req.capabilities.maxComputeWorkgroupsPerDimension;
  const gy = Math.ceil(channels / max);
  return k.finishWith(body, [Math.ceil(channels / gy), gy, 1]);
}
