import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelDispatch, KernelRequest, KernelRng } from '../codegen/wgsl/lib/kernel.js';
import { ShaderBuilder } from '../codegen/wgsl/lib/shader-builder.js';
import type { TensorAccessor } from '../codegen/wgsl/lib/tensor-accessor.js';
import { elementFunction, storeLanes } from '../codegen/wgsl/lib/templates/element-kernel.js';
import { flatAccessor, flatUniforms, tensorBindingsOf } from '../codegen/wgsl/lib/templates/kernel-io.js';
import { reduceWorkgroupSize, workgroupReduce } from '../codegen/wgsl/lib/templates/workgroup-reduce.js';
import { intAttr, optionalIntAttr } from './attrs.js';
import { labelLayout } from './labels.js';

/**
 * The WGSL forward of the ops that score logits [N, C, ...] against class labels
 * (softmax_cross_entropy, accuracy): one workgroup, each invocation scoring a strided share of
 * the N * inner labelled positions, then tree sums of the scores and of the counted positions,
 * and the first invocation writes the scalar result (through the request's epilogue, like every
 * kernel).
 *
 * Labels are read as integers (i32 codes; the value of an f32 or fixed label, which must be a
 * whole number). A position whose label equals ignore_label is skipped and not counted. A label
 * that is not a class index, where the reference throws, makes the result NaN: a kernel cannot
 * stop, and NaN cannot pass for a loss.
 */
export type LabelScore = 'cross_entropy' | 'accuracy';

/** Lines defining, for position `lpc_p`, `lpc_label: i32` and `lpc_whole`: whether the label value is a whole number. */
export function labelLines(label: TensorAccessor): string[] {
  const p = wgsl('u32', 'lpc_p');
  const t = label.type;
  if (t.kind === 'i32' || (t.kind === 'fixed' && t.fracBits === 0)) return [`let lpc_label = ${label.loadCode(p)};`, 'let lpc_whole = true;'];
  return [
    `let lpc_lv = ${label.loadValue(p)};`,
    'let lpc_whole = lpc_lv == floor(lpc_lv) && abs(lpc_lv) < 0x1p31f;',
    'let lpc_label = select(-1i, i32(lpc_lv), lpc_whole);',
  ];
}

export function labelScoreForward(req: KernelRequest, score: LabelScore): KernelDispatch[] {
  const attrs = req.attrs as Attrs;
  const { outer, classes, inner } = labelLayout(req.inputs[0].shape);
  const size = reduceWorkgroupSize(req.capabilities);
  const b = new ShaderBuilder({ capabilities: req.capabilities, workgroupSize: size });
  const [lt, labt] = req.inputs;
  const x = flatAccessor(b, 'logits', lt, 'read');
  const label = flatAccessor(b, 'label', labt, 'read');
  const y = flatAccessor(b, 'y', req.output, 'read_write');
  const u = {
    positions: b.uniform('ls_positions', 'u32'),
    classes: b.uniform('ls_classes', 'u32'),
    inner: b.uniform('ls_inner', 'u32'),
    hasIgnore: b.uniform('ls_has_ignore', 'u32'),
    ignore: b.uniform('ls_ignore', 'i32'),
    topK: b.uniform('ls_top_k', 'u32'),
  };
  const ignore = optionalIntAttr(attrs, 'ignore_label');
  const logit = (c: string) => x.loadValue(wgsl('u32', `lpc_base + ${c} * ${u.inner}`));
  const scoreLines =
    score === 'cross_entropy'
      ? [
          // log(sum exp(x - max)) - (x[label] - max): -log softmax(x)[label], never overflowing
          `var lpc_max = ${logit('0u')};`,
          `for (var lpc_c = 1u; lpc_c < ${u.classes}; lpc_c++) { lpc_max = max(lpc_max, ${logit('lpc_c')}); }`,
          'var lpc_sum = 0.0;',
          `for (var lpc_c = 0u; lpc_c < ${u.classes}; lpc_c++) { lpc_sum = lpc_sum + exp(${logit('lpc_c')} - lpc_max); }`,
          `lpc_acc = lpc_acc + (log(lpc_sum) - (${logit('u32(lpc_label)')} - lpc_max));`,
        ]
      : [
          // correct when fewer than top_k classes score strictly higher than the label (ties count)
          `let lpc_truth = ${logit('u32(lpc_label)')};`,
          'var lpc_higher = 0u;',
          `for (var lpc_c = 0u; lpc_c < ${u.classes}; lpc_c++) { if (${logit('lpc_c')} > lpc_truth) { lpc_higher++; } }`,
          `if (lpc_higher < ${u.topK}) { lpc_acc = lpc_acc + 1.0; }`,
        ];
  const rng: KernelRng[] = [];
  const fn = elementFunction(b, req, { value: wgsl('f32', 'lpc_value') }, rng, ', lpc_value: f32');
  const lanes = y.lanes;
  const body = [
    'var lpc_acc = 0.0;',
    'var lpc_count = 0u;',
    'var lpc_bad = 0u;',
    `for (var lpc_p = lidx; lpc_p < ${u.positions}; lpc_p += ${size}u) {`,
    ...labelLines(label).map((l) => `  ${l}`),
    `  if (${u.hasIgnore} == 1u && lpc_whole && lpc_label == ${u.ignore}) { continue; }`,
    `  if (!lpc_whole || lpc_label < 0i || u32(lpc_label) >= ${u.classes}) { lpc_bad++; continue; }`,
    `  let lpc_base = (lpc_p / ${u.inner}) * ${u.classes} * ${u.inner} + lpc_p % ${u.inner};`,
    ...scoreLines.map((l) => `  ${l}`),
    '  lpc_count++;',
    '}',
    ...workgroupReduce(b, 'ls_acc', 'f32', 'sum', 'lpc_acc', 'lpc_total'),
    ...workgroupReduce(b, 'ls_count', 'u32', 'sum', 'lpc_count', 'lpc_counted'),
    ...workgroupReduce(b, 'ls_bad', 'u32', 'sum', 'lpc_bad', 'lpc_bads'),
    'if (lidx == 0u) {',
    // cross-entropy divides by max(1, count) (Caffe's VALID normalisation); accuracy is 0 without positions
    '  var lpc_value = lpc_total / f32(max(lpc_counted, 1u));',
    // a quiet NaN: all-ones exponent, non-zero fraction (a run-time value; WGSL rejects a constant NaN)
    '  if (lpc_bads > 0u) { lpc_value = bitcast<f32>(0x7fc00000u | min(lpc_bads, 0x3fffffu)); }',
    `  let lpc_r0 = ${fn}(0u, lpc_value);`,
    ...Array.from({ length: lanes - 1 }, (_, k) => `  let lpc_r${k + 1} = 0i;`),
    `  ${storeLanes(y, wgsl('u32', '0u'), Array.from({ length: lanes }, (_, k) => `lpc_r${k}`))}`,
    '}',
  ];
  const shader = b.main(body).build();
  const values: Record<string, number> = {
    ls_positions: outer * inner,
    ls_classes: classes,
    ls_inner: inner,
    ls_has_ignore: ignore === undefined ? 0 : 1,
    ls_ignore: ignore ?? 0,
    ls_top_k: score === 'accuracy' ? intAttr(attrs, 'top_k', 1) : 1,
  };
  return [
    {
      label: `${req.node} (${score === 'accuracy' ? 'accuracy' : 'softmax_cross_entropy'})`,
      shader,
      workgroups: [1, 1, 1],
      uniforms: { ...flatUniforms([[x, lt], [label, labt], [y, req.output]]), ...values },
      bindings: [...tensorBindingsOf(x, lt), ...tensorBindingsOf(label, labt), ...tensorBindingsOf(y, req.output)],
      ...(rng.length ? { rng } : {}),
    },
  ];
}
