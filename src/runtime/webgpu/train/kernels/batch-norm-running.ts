import type { WgslCapabilities } from '../../../../codegen/wgsl/lib/capabilities.js';
import { f32Lit, wgsl } from '../../../../codegen/wgsl/lib/expr.js';
import type { KernelDispatch, KernelTensor } from '../../../../codegen/wgsl/lib/kernel.js';
import { gridFor, ShaderBuilder } from '../../../../codegen/wgsl/lib/shader-builder.js';
import { flatAccessor, flatUniforms, tensorBindingsOf } from '../../../../codegen/wgsl/lib/templates/kernel-io.js';
import { reduceWorkgroupSize, workgroupReduce } from '../../../../codegen/wgsl/lib/templates/workgroup-reduce.js';
import { CONTROL_OK, readControl } from './control.js';

/**
 * Caffe's batch-norm running statistics on the GPU (updatedBatchNormStats of ops/batch-norm.ts):
 *   s' = s * maf + 1;  mean' = mean * maf + batch_mean;  var' = var * maf + m / (m - 1) * batch_var
 * with m the elements per channel and the batch statistics from the forward's input to the layer.
 *
 * `pending` computes them right after the layer's forward, while its input is alive, into a small
 * buffer [mean' (C), var' (C), s' (1)]; `commit` copies them into the stored statistics at the end
 * of the step when the step is applied (the control block's OK), so a non-finite step leaves them
 * as they were. Batch statistics in f32 (two passes: the mean, then the squared deviations, as the
 * reference), where the reference sums in f64: within the f32 tolerance for data whose variance is
 * not tiny next to its mean.
 */
export interface RunningStatsIds {
  x: KernelTensor;
  mean: KernelTensor;
  variance: KernelTensor;
  scaleFactor: KernelTensor;
  pending: string;
}

export function pendingRunningStats(caps: WgslCapabilities, ids: RunningStatsIds, fraction: number, label: string): KernelDispatch {
  const [n, channels] = ids.x.shape;
  const inner = ids.x.shape.slice(2).reduce((a, d) => a * d, 1);
  const count = n * inner;
  const size = reduceWorkgroupSize(caps, 64);
  const b = new ShaderBuilder({ capabilities: caps, workgroupSize: size });
  const x = flatAccessor(b, 'x', ids.x, 'read');
  const mean = flatAccessor(b, 'mean', ids.mean, 'read');
  const variance = flatAccessor(b, 'variance', ids.variance, 'read');
  const factor = flatAccessor(b, 'scale_factor', ids.scaleFactor, 'read');
  const out = b.storageBuffer('pending', 'f32', 'read_write');
  const c = b.uniform('bn_c', 'u32');
  const cInner = b.uniform('bn_inner', 'u32');
  const m = b.uniform('bn_count', 'u32');
  const maf = f32Lit(Math.fround(fraction));
  const correction = f32Lit(Math.fround(count > 1 ? count / (count - 1) : 1));
  const at = wgsl('u32', `((lpc_j / ${cInner}) * ${c} + lpc_ch) * ${cInner} + lpc_j % ${cInner}`);
  const pass = (acc: string, term: string) => [
    `var ${acc} = 0.0;`,
    'if (lpc_live) {',
    `  for (var lpc_j = lidx; lpc_j < ${m}; lpc_j += ${size}u) {`,
    `    let lpc_x = ${x.loadValue(at)};`,
    `    ${acc} = ${acc} + ${term};`,
    '  }',
    '}',
  ];
  const ch = wgsl('u32', 'lpc_ch');
  const shader = b
    .main([
      'let lpc_ch = wid.x + wid.y * nwg.x;',
      `let lpc_live = lpc_ch < ${c};`,
      ...pass('lpc_sum', 'lpc_x'),
      ...workgroupReduce(b, 'bn_red', 'f32', 'sum', 'lpc_sum', 'lpc_total'),
      `let lpc_mean = lpc_total / f32(${m});`,
      ...pass('lpc_sq', '(lpc_x - lpc_mean) * (lpc_x - lpc_mean)'),
      ...workgroupReduce(b, 'bn_red2', 'f32', 'sum', 'lpc_sq', 'lpc_sqtotal'),
      'if (lpc_live && lidx == 0u) {',
      `  ${out}[lpc_ch] = ${mean.loadValue(ch)} * ${maf} + lpc_mean;`,
      `  ${out}[${c} + lpc_ch] = ${variance.loadValue(ch)} * ${maf} + ${correction} * (lpc_sqtotal / f32(${m}));`,
      `  if (lpc_ch == 0u) { ${out}[2u * ${c}] = ${factor.loadValue(0)} * ${maf} + 1.0; }`,
      '}',
    ])
    .build();
  const max = caps.maxComputeWorkgroupsPerDimension;
  const gy = Math.ceil(channels / max);
  return {
    label,
    shader,
    workgroups: [Math.ceil(channels / gy), gy, 1],
    uniforms: {
      ...flatUniforms([
        [x, ids.x],
        [mean, ids.mean],
        [variance, ids.variance],
        [factor, ids.scaleFactor],
      ]),
      bn_c: channels,
      bn_inner: inner,
      bn_count: count,
    },
    bindings: [
      ...tensorBindingsOf(x, ids.x),
      ...tensorBindingsOf(mean, ids.mean),
      ...tensorBindingsOf(variance, ids.variance),
      ...tensorBindingsOf(factor, ids.scaleFactor),
      { name: out, tensor: ids.pending },
    ],
  };
}

/** Copies the pending statistics into the stored ones when the step is applied. */
export function commitRunningStats(caps: WgslCapabilities, ids: Omit<RunningStatsIds, 'x'> & { control: string }, channels: number, label: string): KernelDispatch {
  const wg = 64;
  const b = new ShaderBuilder({ capabilities: caps, workgroupSize: wg });
  const pending = b.storageBuffer('pending', 'f32', 'read');
  const mean = b.storageBuffer('mean', 'f32', 'read_write');
  const variance = b.storageBuffer('variance', 'f32', 'read_write');
  const factor = b.storageBuffer('scale_factor', 'f32', 'read_write');
  const control = readControl(b);
  const c = b.uniform('bn_c', 'u32');
  const shader = b
    .main([
      `let lpc_i = ${b.globalIndex()};`,
      `if (${control}[${CONTROL_OK}] != 1u || lpc_i >= ${c}) { return; }`,
      `${mean}[lpc_i] = ${pending}[lpc_i];`,
      `${variance}[lpc_i] = ${pending}[${c} + lpc_i];`,
      `if (lpc_i == 0u) { ${factor}[0] = ${pending}[2u * ${c}]; }`,
    ])
    .build();
  return {
    label,
    shader,
    workgroups: gridFor(channels, wg, caps.maxComputeWorkgroupsPerDimension),
    uniforms: { bn_c: channels },
    bindings: [
      { name: pending, tensor: ids.pending },
      { name: mean, tensor: ids.mean.id },
      { name: variance, tensor: ids.variance.id },
      { name: factor, tensor: ids.scaleFactor.id },
      { name: control, tensor: ids.control },
    ],
  };
}
