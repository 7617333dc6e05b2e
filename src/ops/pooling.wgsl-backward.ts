import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelBackwardRequest, KernelDispatch, KernelTensor } from '../codegen/wgsl/lib/kernel.js';
import { gridFor } from '../codegen/wgsl/lib/shader-builder.js';
import { GradKernel } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { poolGeometryOrThrow, type PoolGeometry } from './pooling.js';

/**
 * The WGSL backward of max_pool and avg_pool in gather form: one invocation per INPUT element,
 * which visits the output windows that contain it (rows oy with oy*stride - pad <= iy <
 * oy*stride - pad + kernel, likewise columns) in row-major output order and sums what each sends
 * it, in f32:
 *   max: the window's gradient when this element is the window's first maximum in row-major order,
 *        found by comparing with the forward's result (codes for fixed-point inputs) and, on a tie,
 *        with the elements before it: the reference's `>` picks the same element;
 *   avg: the window's gradient divided by its pool size (the window clipped to the padded input).
 * The reference adds the same terms in f64 and rounds once, so results agree within the f32
 * tolerance (exactly, for the usual non-overlapping windows with one term per element).
 */
export function poolBackward(req: KernelBackwardRequest, kind: 'max' | 'avg'): KernelDispatch[] {
  const target = req.gradInputs[0];
  if (!target) return [];
  const op = kind === 'max' ? 'max_pool' : 'avg_pool';
  const g = poolGeometryOrThrow(op, req.inputs[0].shape, req.attrs as Attrs);
  if (tiles(g)) return [tiledBackward(req, kind, g, target)];
  const k = new GradKernel(req, op);
  const x = k.input('x', req.inputs[0]);
  const u = (name: string, v: number) => k.uniform(`pool_${name}`, 'u32', v);
  const [h, w, hout, wout] = [u('h', g.h), u('w', g.w), u('hout', g.hout), u('wout', g.wout)];
  const [kh, kw, sh, sw, ph, pw] = [u('kh', g.kh), u('kw', g.kw), u('sh', g.strideH), u('sw', g.strideW), u('ph', g.padH), u('pw', g.padW)];
  const at = wgsl('u32', `lpc_xbase + lpc_jy * ${w} + lpc_jx`);
  const out = wgsl('u32', `lpc_obase + lpc_oy * ${wout} + lpc_ox`);
  // the window of output (oy, ox), clipped to the input
  const window = [
    `    let lpc_y0 = i32(lpc_oy * ${sh}) - i32(${ph});`,
    `    let lpc_x0 = i32(lpc_ox * ${sw}) - i32(${pw});`,
    `    let lpc_ys = u32(max(lpc_y0, 0i));`,
    `    let lpc_xs = u32(max(lpc_x0, 0i));`,
    `    let lpc_ye = u32(min(lpc_y0 + i32(${kh}), i32(${h})));`,
    `    let lpc_xe = u32(min(lpc_x0 + i32(${kw}), i32(${w})));`,
  ];
  const integer = x.type.kind !== 'f32';
  const load = (i: typeof at) => (integer ? x.loadCode(i) : x.loadValue(i));
  // The window's maximum is the forward's own result, kept in the node's output (or its saved
  // pre-epilogue value): this element won the window when it equals it and no element before it in
  // row-major order does (the reference's strict `>` keeps the first maximum). A NaN result means
  // the window's first element was NaN (a NaN never replaces a number), and it won.
  const own = integer ? wgsl('i32', `${k.ownCode(out)}`) : k.ownOutput(out);
  const term =
    kind === 'max'
      ? [
          ...window,
          `    let lpc_m = ${own};`,
          `    let lpc_me = ${load(wgsl('u32', 'lpc_i'))};`,
          `    var lpc_won = lpc_me == lpc_m;`,
          integer ? '' : '    if (lpc_m != lpc_m) { lpc_won = lpc_iy == lpc_ys && lpc_ix == lpc_xs; }',
          '    if (lpc_won) {',
          '      for (var lpc_jy = lpc_ys; lpc_jy <= lpc_iy && lpc_won; lpc_jy++) {',
          '        let lpc_xend = select(lpc_xe, lpc_ix, lpc_jy == lpc_iy);',
          '        for (var lpc_jx = lpc_xs; lpc_jx < lpc_xend; lpc_jx++) {',
          `          if (${load(at)} == lpc_m) { lpc_won = false; break; }`,
          '        }',
          '      }',
          '    }',
          `    if (lpc_won) { lpc_sum = lpc_sum + ${k.gradOut(out)}; }`,
        ]
      : [
          ...window,
          // Caffe's pool_size: the window clipped to the padded input, not to the input
          `    let lpc_hn = min(lpc_y0 + i32(${kh}), i32(${h} + ${ph})) - lpc_y0;`,
          `    let lpc_wn = min(lpc_x0 + i32(${kw}), i32(${w} + ${pw})) - lpc_x0;`,
          `    lpc_sum = lpc_sum + ${k.gradOut(out)} / f32(lpc_hn * lpc_wn);`,
        ];
  if (g.h >= 65536 || g.w >= 65536) throw new Error(`${op} '${req.node}': inputs of 65536 rows or columns are not supported by the WGSL backward`);
  return [
    k.finish(target, req.accumulateInputs[0] ?? false, (i) => ({
      lines: [
        `let lpc_ix = ${i} % ${w};`,
        `let lpc_t = ${i} / ${w};`,
        `let lpc_iy = lpc_t % ${h};`,
        `let lpc_plane = lpc_t / ${h};`,
        `let lpc_xbase = lpc_plane * ${h} * ${w};`,
        `let lpc_obase = lpc_plane * ${hout} * ${wout};`,
        // outputs whose window holds row iy: oy * sh - ph <= iy < oy * sh - ph + kh
        `let lpc_ny = i32(lpc_iy + ${ph}) - i32(${kh}) + 1i;`,
        `let lpc_nx = i32(lpc_ix + ${pw}) - i32(${kw}) + 1i;`,
        `let lpc_oy0 = select(0u, (u32(lpc_ny) + ${sh} - 1u) / ${sh}, lpc_ny > 0i);`,
        `let lpc_ox0 = select(0u, (u32(lpc_nx) + ${sw} - 1u) / ${sw}, lpc_nx > 0i);`,
        `let lpc_oy1 = min((lpc_iy + ${ph}) / ${sh} + 1u, ${hout});`,
        `let lpc_ox1 = min((lpc_ix + ${pw}) / ${sw} + 1u, ${wout});`,
        'var lpc_sum = 0.0;',
        'for (var lpc_oy = lpc_oy0; lpc_oy < lpc_oy1; lpc_oy++) {',
        '  for (var lpc_ox = lpc_ox0; lpc_ox < lpc_ox1; lpc_ox++) {',
        ...term,
        '  }',
        '}',
      ],
      value: wgsl('f32', 'lpc_sum'),
    })),
  ];
}

/** Windows that tile the input exactly (stride = kernel, no padding, sizes multiples of the kernel): LeNet's 2x2 / 2. */
function tiles(g: PoolGeometry): boolean {
  return g.strideH === g.kh && g.strideW === g.kw && g.padH === 0 && g.padW === 0 && g.h === g.hout * g.kh && g.w === g.wout * g.kw;
}

/**
 * Tiled windows: every input element lies in exactly one window, so one invocation per WINDOW can
 * write all of its elements (disjoint, no race): the winner (max: the first maximum in row-major
 * order, recomputed as the forward; avg: every element) gets the window's gradient (avg: divided by
 * the window size), the others 0. A quarter of the invocations of the gather form for 2x2 windows,
 * and no search for the windows of an element. Same values as the gather form.
 */
function tiledBackward(req: KernelBackwardRequest, kind: 'max' | 'avg', g: PoolGeometry, target: KernelTensor): KernelDispatch {
  const k = new GradKernel(req, kind === 'max' ? 'max_pool' : 'avg_pool');
  const x = k.input('x', req.inputs[0]);
  const dst = k.target(target);
  const accumulate = req.accumulateInputs[0] ?? false;
  const u = (name: string, v: number) => k.uniform(`pool_${name}`, 'u32', v);
  const [w, hout, wout, kh, kw] = [u('w', g.w), u('hout', g.hout), u('wout', g.wout), u('kh', g.kh), u('kw', g.kw)];
  const outputs = u('outputs', g.n * g.c * g.hout * g.wout);
  const integer = x.type.kind !== 'f32';
  const load = (i: string) => (integer ? x.loadCode(wgsl('u32', i)) : x.loadValue(wgsl('u32', i)));
  const at = 'lpc_first + lpc_jy * ' + `${w}` + ' + lpc_jx';
  const body = [
    `let lpc_o = ${k.b.globalIndex()};`,
    `if (lpc_o >= ${outputs}) { return; }`,
    `let lpc_ox = lpc_o % ${wout};`,
    `let lpc_t = lpc_o / ${wout};`,
    `let lpc_oy = lpc_t % ${hout};`,
    `let lpc_plane = lpc_t / ${hout};`,
    // the window's first element: plane * h * w + oy * kh * w + ox * kw, with h = hout * kh
    `let lpc_first = (lpc_plane * ${hout} * ${kh} + lpc_oy * ${kh}) * ${w} + lpc_ox * ${kw};`,
    `let lpc_dy = ${k.gradOut(wgsl('u32', 'lpc_o'))};`,
  ];
  if (kind === 'max') {
    body.push(
      `var lpc_best = ${load('lpc_first')};`,
      'var lpc_arg = lpc_first;',
      `for (var lpc_jy = 0u; lpc_jy < ${kh}; lpc_jy++) {`,
      `  for (var lpc_jx = 0u; lpc_jx < ${kw}; lpc_jx++) {`,
      `    let lpc_v = ${load(at)};`,
      `    if (lpc_v > lpc_best) { lpc_best = lpc_v; lpc_arg = ${at}; }`,
      '  }',
      '}',
    );
  } else {
    body.push(`let lpc_share = lpc_dy / f32(${kh} * ${kw});`);
  }
  body.push(
    `for (var lpc_jy = 0u; lpc_jy < ${kh}; lpc_jy++) {`,
    `  for (var lpc_jx = 0u; lpc_jx < ${kw}; lpc_jx++) {`,
    `    let lpc_j = ${at};`,
    `    ${GradKernel.store(dst, wgsl('u32', 'lpc_j'), wgsl('f32', kind === 'max' ? 'select(0.0, lpc_dy, lpc_j == lpc_arg)' : 'lpc_share'), accumulate)}`,
    '  }',
    '}',
  );
  const n = g.n * g.c * g.hout * g.wout;
  return k.finishWith(body, gridFor(n, k.b.workgroupSize[0], req.capabilities.maxComputeWorkgroupsPerDimension));
}
