import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelBackwardRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { ShaderBuilder } from '../codegen/wgsl/lib/shader-builder.js';
import { GradKernel } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { flatAccessor, flatUniforms, scratchId, tensorBindingsOf } from '../codegen/wgsl/lib/templates/kernel-io.js';
import { reduceWorkgroupSize, workgroupReduce } from '../codegen/wgsl/lib/templates/workgroup-reduce.js';
import { optionalIntAttr } from './attrs.js';
import { labelLayout } from './labels.js';
import { labelLines } from './losses.wgsl.js';

/**
 * The WGSL backward of softmax_cross_entropy: d loss / d logits = (softmax - onehot(label)) *
 * dloss / max(1, count), count = the labelled positions not equal to ignore_label (Caffe's VALID
 * normalisation). Two dispatches: one workgroup counts the positions into a scratch word, then one
 * invocation per logit computes its row's softmax (max, then the sum of exp in class order, in f32)
 * and its gradient. Ignored positions get 0; a label that is not a class index gets NaN (the
 * forward's loss is NaN then too, and the step is refused as non-finite). The reference works in
 * f64: within the f32 tolerance.
 */
export function crossEntropyBackward(req: KernelBackwardRequest): KernelDispatch[] {
  const target = req.gradInputs[0];
  if (!target) return [];
  const { outer, classes, inner } = labelLayout(req.inputs[0].shape);
  const ignore = optionalIntAttr(req.attrs as Attrs, 'ignore_label');
  const counted = scratchId(req, 'xent-count');
  const uniforms = { ls_positions: outer * inner, ls_classes: classes, ls_inner: inner, ls_has_ignore: ignore === undefined ? 0 : 1, ls_ignore: ignore ?? 0 };

  const k = new GradKernel(req, 'softmax_cross_entropy');
  const x = k.input('logits', req.inputs[0]);
  const label = k.input('label', req.inputs[1]);
  const u = {
    classes: k.uniform('ls_classes', 'u32', classes),
    inner: k.uniform('ls_inner', 'u32', inner),
    hasIgnore: k.uniform('ls_has_ignore', 'u32', uniforms.ls_has_ignore),
    ignore: k.uniform('ls_ignore', 'i32', uniforms.ls_ignore),
  };
  const count = k.scratchBuffer('ls_count', counted, 'read', 4);
  const logit = (c: string) => x.loadValue(wgsl('u32', `lpc_base + ${c} * ${u.inner}`));
  const grads = k.finish(target, req.accumulateInputs[0] ?? false, (i) => ({
    lines: [
      `let lpc_c = (${i} / ${u.inner}) % ${u.classes};`,
      `let lpc_p = (${i} / (${u.classes} * ${u.inner})) * ${u.inner} + ${i} % ${u.inner};`,
      `let lpc_base = ${i} - lpc_c * ${u.inner};`,
      ...labelLines(label),
      `if (${u.hasIgnore} == 1u && lpc_whole && lpc_label == ${u.ignore}) { return 0.0; }`,
      // a quiet NaN for a label that is not a class index (WGSL rejects a constant NaN)
      `if (!lpc_whole || lpc_label < 0i || u32(lpc_label) >= ${u.classes}) { return bitcast<f32>(0x7fc00000u | (lpc_i & 0xffffu)); }`,
      `var lpc_max = ${logit('0u')};`,
      `for (var lpc_k = 1u; lpc_k < ${u.classes}; lpc_k++) { lpc_max = max(lpc_max, ${logit('lpc_k')}); }`,
      'var lpc_sum = 0.0;',
      `for (var lpc_k = 0u; lpc_k < ${u.classes}; lpc_k++) { lpc_sum = lpc_sum + exp(${logit('lpc_k')} - lpc_max); }`,
      `let lpc_prob = exp(${x.loadValue(i)} - lpc_max) / lpc_sum;`,
      `let lpc_scale = ${k.gradOut(wgsl('u32', '0u'))} / ${count}[0];`,
    ],
    value: wgsl('f32', `(lpc_prob - select(0.0, 1.0, u32(lpc_label) == lpc_c)) * lpc_scale`),
  }));
  return [countDispatch(req, counted, uniforms), grads];
}

/** max(1, number of positions whose label is not ignore_label), as an f32, into scratch word 0. */
function countDispatch(req: KernelBackwardRequest, counted: string, values: Record<string, number>): KernelDispatch {
  const size = reduceWorkgroupSize(req.capabilities);
  const b = new ShaderBuilder({ capabilities: req.capabilities, workgroupSize: size });
  const lt = req.inputs[1];
  const label = flatAccessor(b, 'label', lt, 'read');
  const out = b.storageBuffer('ls_count', 'f32', 'read_write');
  const positions = b.uniform('ls_positions', 'u32');
  const hasIgnore = b.uniform('ls_has_ignore', 'u32');
  const ignore = b.uniform('ls_ignore', 'i32');
  const body = [
    'var lpc_n = 0u;',
    `for (var lpc_p = lidx; lpc_p < ${positions}; lpc_p += ${size}u) {`,
    ...labelLines(label).map((l) => `  ${l}`),
    `  if (!(${hasIgnore} == 1u && lpc_whole && lpc_label == ${ignore})) { lpc_n++; }`,
    '}',
    ...workgroupReduce(b, 'ls_n', 'u32', 'sum', 'lpc_n', 'lpc_total'),
    `if (lidx == 0u) { ${out}[0] = f32(max(lpc_total, 1u)); }`,
  ];
  const shader = b.main(body).build();
  return {
    label: `${req.node} (softmax_cross_entropy count)`,
    shader,
    workgroups: [1, 1, 1],
    uniforms: { ...flatUniforms([[label, lt]]), ls_positions: values.ls_positions, ls_has_ignore: values.ls_has_ignore, ls_ignore: values.ls_ignore },
    bindings: [...tensorBindingsOf(label, lt), { name: out, tensor: counted }],
    scratch: [{ id: counted, bytes: 4 }],
  };
}
