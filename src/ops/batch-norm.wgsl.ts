import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelBinding, KernelDispatch, KernelRequest } from '../codegen/wgsl/lib/kernel.js';
import { ShaderBuilder } from '../codegen/wgsl/lib/shader-builder.js';
import { ElementKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import type { KernelParts } from '../codegen/wgsl/lib/templates/kernel-parts.js';
import { flatAccessor, flatUniforms, paramValue, scratchId, tensorBindingsOf } from '../codegen/wgsl/lib/templates/kernel-io.js';
import { reduceWorkgroupSize, workgroupReduce } from '../codegen/wgsl/lib/templates/workgroup-reduce.js';
import { boolAttr, floatAttr } from './attrs.js';
import { productOf } from './shape-util.js';

/**
 * The WGSL forward of batch_norm: y = (x - mean_c) / sqrt(var_c + eps) per channel c of axis 1.
 *
 * Stored statistics (inference, or use_global_stats: true): one dispatch; each lane reads the
 * channel's running sums and Caffe's scale factor s (mean / s, var / s, factor 0 when s = 0).
 * Batch statistics (training, or use_global_stats: false): a first dispatch reduces each channel
 * (one workgroup per channel: strided sums per invocation, then a tree) to its mean and biased
 * variance, two passes over x as the reference does, into a scratch buffer; the second normalises.
 * The reference sums in f64, the kernel in f32 with a tree, so results agree within the f32
 * tolerance for data whose variance is not tiny next to its mean.
 */
export function usesGlobalStats(req: Pick<KernelRequest, 'attrs' | 'training'>): boolean {
  return req.attrs.use_global_stats === undefined ? !req.training : boolAttr(req.attrs as Attrs, 'use_global_stats');
}

/**
 * The per-channel layout the forward and backward kernels share: channels on axis 1, `inner`
 * positions per channel; the uniforms bn_c, bn_inner, bn_eps, and the line that sets lpc_c (`ch`)
 * to the channel of flat element i.
 */
export function channelLayout(k: KernelParts, req: Pick<KernelRequest, 'inputs' | 'attrs'>) {
  const shape = req.inputs[0].shape;
  const channels = shape[1];
  const inner = productOf(shape.slice(2));
  const c = k.uniform('bn_c', 'u32', channels);
  const cInner = k.uniform('bn_inner', 'u32', inner);
  const eps = k.uniform('bn_eps', 'f32', floatAttr(req.attrs as Attrs, 'eps', 1e-5));
  return {
    shape,
    channels,
    inner,
    eps,
    ch: wgsl('u32', 'lpc_c'),
    channelLine: (i: string) => `let lpc_c = (${i} / ${cInner}) % ${c};`,
  };
}

export function batchNormForward(req: KernelRequest): KernelDispatch[] {
  const k = new ElementKernel(req, 'batch_norm');
  const x = k.input('x', req.inputs[0]);
  const { channels, inner, eps: epsU, ch, channelLine } = channelLayout(k, req);
  if (usesGlobalStats(req)) {
    const [mean, variance, factor] = ['mean', 'variance', 'scale_factor'].map((n, p) => k.input(n, req.params[p]));
    return [
      k.finish((i) => ({
        lines: [
          channelLine(`${i}`),
          `let lpc_s = ${paramValue(k.b, req, 2, factor, 0, k.rng)};`,
          `let lpc_f = select(1.0 / lpc_s, 0.0, lpc_s == 0.0);`,
          `let lpc_m = ${paramValue(k.b, req, 0, mean, ch, k.rng)} * lpc_f;`,
          `let lpc_v = ${paramValue(k.b, req, 1, variance, ch, k.rng)} * lpc_f;`,
        ],
        value: wgsl('f32', `(${x.loadValue(i)} - lpc_m) * (1.0 / sqrt(lpc_v + ${epsU}))`),
      })),
    ];
  }
  const stats = scratchId(req, 'batch-stats');
  const st = k.scratchBuffer('bn_stats', stats, 'read', 8 * channels);
  return [
    statsDispatch(req, stats, channels, inner),
    k.finish((i) => ({
      lines: [channelLine(`${i}`), `let lpc_m = ${st}[2u * lpc_c];`, `let lpc_v = ${st}[2u * lpc_c + 1u];`],
      value: wgsl('f32', `(${x.loadValue(i)} - lpc_m) * (1.0 / sqrt(lpc_v + ${epsU}))`),
    })),
  ];
}

/** Per channel: mean and biased variance over the batch and positions, into stats[2c], stats[2c + 1]. */
function statsDispatch(req: KernelRequest, stats: string, channels: number, inner: number): KernelDispatch {
  // many channels run at once, so a small workgroup: its partial sums are folded by every invocation
  const size = reduceWorkgroupSize(req.capabilities, 64);
  const b = new ShaderBuilder({ capabilities: req.capabilities, workgroupSize: size });
  const xt = req.inputs[0];
  const x = flatAccessor(b, 'x', xt, 'read');
  const out = b.storageBuffer('bn_stats', 'f32', 'read_write');
  const c = b.uniform('bn_c', 'u32');
  const cInner = b.uniform('bn_inner', 'u32');
  const count = b.uniform('bn_count', 'u32');
  const at = wgsl('u32', `((lpc_j / ${cInner}) * ${c} + lpc_ch) * ${cInner} + lpc_j % ${cInner}`);
  const pass = (acc: string, term: string) => [
    `var ${acc} = 0.0;`,
    `if (lpc_live) {`,
    `  for (var lpc_j = lidx; lpc_j < ${count}; lpc_j += ${size}u) {`,
    `    let lpc_x = ${x.loadValue(at)};`,
    `    ${acc} = ${acc} + ${term};`,
    `  }`,
    `}`,
  ];
  const body = [
    // one workgroup per channel; the grid may spill into y past the per-dimension limit
    `let lpc_ch = wid.x + wid.y * nwg.x;`,
    `let lpc_live = lpc_ch < ${c};`,
    ...pass('lpc_sum', 'lpc_x'),
    ...workgroupReduce(b, 'bn_red', 'f32', 'sum', 'lpc_sum', 'lpc_total'),
    `let lpc_mean = lpc_total / f32(${count});`,
    ...pass('lpc_sq', '(lpc_x - lpc_mean) * (lpc_x - lpc_mean)'),
    ...workgroupReduce(b, 'bn_red2', 'f32', 'sum', 'lpc_sq', 'lpc_sqtotal'),
    `if (lpc_live && lidx == 0u) {`,
    `  ${out}[2u * lpc_ch] = lpc_mean;`,
    `  ${out}[2u * lpc_ch + 1u] = lpc_sqtotal / f32(${count});`,
    `}`,
  ];
  const shader = b.main(body).build();
  const max = req.capabilities.maxComputeWorkgroupsPerDimension;
  const gy = Math.ceil(channels / max);
  const bindings: KernelBinding[] = [...tensorBindingsOf(x, xt), { name: out, tensor: stats }];
  return {
    label: `${req.node} (batch_norm statistics)`,
    shader,
    workgroups: [Math.ceil(channels / gy), gy, 1],
    uniforms: { ...flatUniforms([[x, xt]]), bn_c: channels, bn_inner: inner, bn_count: xt.shape[0] * inner },
    bindings,
    scratch: [{ id: stats, bytes: 8 * channels }],
  };
}
