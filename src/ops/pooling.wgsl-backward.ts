import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelBackwardRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { GradKernel } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { poolGeometryOrThrow } from './pooling.js';

/**
 * The WGSL backward of max_pool and avg_pool in gather form: one invocation per INPUT element,
 * which visits the output windows that contain it (rows oy with oy*stride - pad <= iy <
 * oy*stride - pad + kernel, likewise columns) in row-major output order and sums what each sends
 * it, in f32:
 *   max: the window's gradient when this element is the window's first maximum in row-major order
 *        (recomputed exactly as the forward picks it: codes compared for fixed-point inputs, `>`);
 *   avg: the window's gradient divided by its pool size (the window clipped to the padded input).
 * The reference adds the same terms in f64 and rounds once, so results agree within the f32
 * tolerance (exactly, for the usual non-overlapping windows with one term per element).
 */
export function poolBackward(req: KernelBackwardRequest, kind: 'max' | 'avg'): KernelDispatch[] {
  const target = req.gradInputs[0];
  if (!target) return [];
  const op = kind === 'max' ? 'max_pool' : 'avg_pool';
  const g = poolGeometryOrThrow(op, req.inputs[0].shape, req.attrs as Attrs);
  const k = new GradKernel(req, op);
  const x = k.input('x', req.inputs[0]);
  const u = (name: string, v: number) => k.uniform(`pool_${name}`, 'u32', v);
  const [h, w, hout, wout] = [u('h', g.h), u('w', g.w), u('hout', g.hout), u('wout', g.wout)];
  const [kh, kw, sh, sw, ph, pw] = [u('kh', g.kh), u('kw', g.kw), u('sh', g.strideH), u('sw', g.strideW), u('ph', g.padH), u('pw', g.padW)];
  const at = wgsl('u32', `lpc_xbase + lpc_jy * ${w} + lpc_jx`);
  const first = wgsl('u32', `lpc_xbase + lpc_ys * ${w} + lpc_xs`);
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
  const term =
    kind === 'max'
      ? [
          ...window,
          `    var lpc_best = ${load(first)};`,
          '    var lpc_arg = lpc_ys * 65536u + lpc_xs;',
          '    for (var lpc_jy = lpc_ys; lpc_jy < lpc_ye; lpc_jy++) {',
          '      for (var lpc_jx = lpc_xs; lpc_jx < lpc_xe; lpc_jx++) {',
          `        let lpc_v = ${load(at)};`,
          '        if (lpc_v > lpc_best) { lpc_best = lpc_v; lpc_arg = lpc_jy * 65536u + lpc_jx; }',
          '      }',
          '    }',
          `    if (lpc_arg == lpc_iy * 65536u + lpc_ix) { lpc_sum = lpc_sum + ${k.gradOut(out)}; }`,
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
