import type { Attrs } from '../ir/graph.js';
import { helper } from '../codegen/wgsl/lib/helper.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelDispatch, KernelRequest, KernelRng, KernelTensor } from '../codegen/wgsl/lib/kernel.js';
import { gridFor, ShaderBuilder } from '../codegen/wgsl/lib/shader-builder.js';
import type { TensorAccessor } from '../codegen/wgsl/lib/tensor-accessor.js';
import { ELEMENT_WORKGROUP, ElementKernel, elementFunction, storeLanes } from '../codegen/wgsl/lib/templates/element-kernel.js';
import { flatAccessor, flatUniforms, tensorBindingsOf } from '../codegen/wgsl/lib/templates/kernel-io.js';
import { intAttr } from './attrs.js';
import { canonicalAxis, splitAtAxis } from './shape-util.js';

/**
 * The WGSL forward of softmax along an axis, one dispatch: y = exp(x - max) / sum(exp(x - max))
 * over each row (the elements along the axis at one outer and inner position). The row's sum is
 * compensated (Kahan), so its error stays a few ulps whatever the row length; exp is the GPU's, so
 * results agree with the f64 reference within the f32 tolerance.
 *
 * Rows along the last axis (inner = 1, the usual [N, classes]) are contiguous: one invocation per
 * row computes its statistics once and writes the storage words that start in the row; a packed
 * word may reach into the next rows, whose statistics it then computes as well. Strided rows
 * (softmax over the channels of an NCHW map) use the element kernel, each lane computing its own
 * row's statistics: O(row length) per element, fine for the class counts such maps have.
 */
interface Layout {
  outer: number;
  dim: number;
  inner: number;
}

/** `fn lpc_row_stats(first: u32) -> vec2<f32>`: (max, compensated sum of exp(x - max)) of the row starting at `first`. */
function rowStats(b: ShaderBuilder, x: TensorAccessor, dim: string, step: string): string {
  const v = (at: string) => x.loadValue(wgsl('u32', at));
  return b.use(
    helper(
      'lpc_row_stats',
      [
        'fn lpc_row_stats(lpc_first: u32) -> vec2<f32> {',
        `  var lpc_max = ${v('lpc_first')};`,
        `  for (var lpc_d = 1u; lpc_d < ${dim}; lpc_d++) { lpc_max = max(lpc_max, ${v(`lpc_first + lpc_d * ${step}`)}); }`,
        '  var lpc_sum = 0.0;',
        '  var lpc_comp = 0.0;',
        `  for (var lpc_d = 0u; lpc_d < ${dim}; lpc_d++) {`,
        `    let lpc_y = exp(${v(`lpc_first + lpc_d * ${step}`)} - lpc_max) - lpc_comp;`,
        '    let lpc_t = lpc_sum + lpc_y;',
        '    lpc_comp = (lpc_t - lpc_sum) - lpc_y;',
        '    lpc_sum = lpc_t;',
        '  }',
        '  return vec2<f32>(lpc_max, lpc_sum);',
        '}',
      ].join('\n'),
    ),
  );
}

export function softmaxForward(req: KernelRequest): KernelDispatch[] {
  const shape = req.inputs[0].shape;
  const axis = canonicalAxis(intAttr(req.attrs as Attrs, 'axis', 1), shape.length);
  // the shape rule accepted this node before any backend runs; failing here is a caller bug
  if (axis === undefined) throw new Error(`softmax '${req.node}': axis out of range for [${shape.join(', ')}]`);
  const layout = splitAtAxis(shape, axis);
  return [layout.inner === 1 ? contiguousRows(req, layout) : stridedRows(req, layout)];
}

function stridedRows(req: KernelRequest, l: Layout): KernelDispatch {
  const k = new ElementKernel(req, 'softmax');
  const x = k.input('x', req.inputs[0]);
  const dim = k.uniform('sm_dim', 'u32', l.dim);
  const inner = k.uniform('sm_inner', 'u32', l.inner);
  const stats = rowStats(k.b, x, `${dim}`, `${inner}`);
  return k.finish((i) => ({
    lines: [
      // the row's first element: same outer and inner position, axis index 0
      `let lpc_first = (${i} / (${dim} * ${inner})) * ${dim} * ${inner} + ${i} % ${inner};`,
      `let lpc_st = ${stats}(lpc_first);`,
    ],
    value: wgsl('f32', `exp(${x.loadValue(i)} - lpc_st.x) / lpc_st.y`),
  }));
}

function contiguousRows(req: KernelRequest, l: Layout): KernelDispatch {
  const b = new ShaderBuilder({ capabilities: req.capabilities, workgroupSize: ELEMENT_WORKGROUP });
  const xt: KernelTensor = req.inputs[0];
  const x = flatAccessor(b, 'x', xt, 'read');
  const y = flatAccessor(b, 'y', req.output, 'read_write');
  const rows = b.uniform('sm_rows', 'u32');
  const dim = b.uniform('sm_dim', 'u32');
  const stats = rowStats(b, x, `${dim}`, '1u');
  const rng: KernelRng[] = [];
  const fn = elementFunction(b, req, { value: wgsl('f32', `exp(${x.loadValue(wgsl('u32', 'lpc_i'))} - lpc_st.x) / lpc_st.y`) }, rng, ', lpc_st: vec2<f32>');
  const lanes = y.lanes;
  const body = [
    `let lpc_row = ${b.globalIndex()};`,
    `if (lpc_row >= ${rows}) { return; }`,
    `let lpc_st = ${stats}(lpc_row * ${dim});`,
    // statistics of the last other row a lane fell in (packed words reaching past this row)
    'var lpc_other = lpc_row;',
    'var lpc_ost = lpc_st;',
    `let lpc_n = ${y.length()};`,
    // the storage words whose first element lies in this row
    `let lpc_w0 = (lpc_row * ${dim} + ${lanes - 1}u) / ${lanes}u;`,
    `let lpc_w1 = ((lpc_row + 1u) * ${dim} + ${lanes - 1}u) / ${lanes}u;`,
    'for (var lpc_w = lpc_w0; lpc_w < lpc_w1; lpc_w++) {',
  ];
  const rt = req.output.type.kind === 'f32' ? 'f32' : 'i32';
  body.push(
    `  var lpc_r: array<${rt}, ${lanes}>;`,
    `  for (var lpc_k = 0u; lpc_k < ${lanes}u; lpc_k++) {`,
    `    let lpc_i = lpc_w * ${lanes}u + lpc_k;`,
    // padding lanes past the end are stored as 0
    '    if (lpc_i >= lpc_n) { break; }',
    `    let lpc_ir = lpc_i / ${dim};`,
    `    if (lpc_ir != lpc_row && lpc_ir != lpc_other) { lpc_other = lpc_ir; lpc_ost = ${stats}(lpc_other * ${dim}); }`,
    `    lpc_r[lpc_k] = ${fn}(lpc_i, select(lpc_ost, lpc_st, lpc_ir == lpc_row));`,
    '  }',
    `  ${storeLanes(y, wgsl('u32', 'lpc_w'), Array.from({ length: lanes }, (_, k) => `lpc_r[${k}]`))}`,
    '}',
  );
  const shader = b.main(body).build();
  return {
    label: `${req.node} (softmax)`,
    shader,
    workgroups: gridFor(l.outer, ELEMENT_WORKGROUP, req.capabilities.maxComputeWorkgroupsPerDimension),
    uniforms: { ...flatUniforms([[x, xt], [y, req.output]]), sm_rows: l.outer, sm_dim: l.dim },
    bindings: [...tensorBindingsOf(x, xt), ...tensorBindingsOf(y, req.output)],
    ...(rng.length ? { rng } : {}),
  };
}
