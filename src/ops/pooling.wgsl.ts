import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelDispatch, KernelRequest } from '../codegen/wgsl/lib/kernel.js';
import { ElementKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import type { OpElement } from '../codegen/wgsl/lib/templates/element-result.js';
import { poolGeometryOrThrow } from './pooling.js';

/**
 * The WGSL forward of max_pool and avg_pool: one output element per lane, its window clipped to
 * the input exactly as `windowRange` (pooling.ts) clips it, the geometry in uniforms so one
 * pipeline serves every pooling layer of the same number types. The output size (Caffe's ceil
 * rule, or floor) comes from the output shape, which the shape rule computed.
 *
 * max: the first maximum in row-major window order, compared with `>` as the reference does; on
 *   fixed-point inputs the codes are compared (same order as the values) and the winning code is
 *   the result, exact at every width.
 * avg: the window summed in f32 in row-major order, rounding after every add, then one f32
 *   division by the window size clipped to the padded input (Caffe's pool_size): the reference's
 *   arithmetic step for step, so f32 results agree bit for bit where the GPU divides correctly
 *   rounded (lavapipe does; WGSL allows 2.5 ulp, within the f32 tolerance). A fixed-point input
 *   wider than 24 bits is an f32 path: its codes are rounded to f32 when loaded, where the
 *   reference adds the exact values.
 */
export function poolForward(req: KernelRequest, kind: 'max' | 'avg'): KernelDispatch[] {
  const op = kind === 'max' ? 'max_pool' : 'avg_pool';
  const g = poolGeometryOrThrow(op, req.inputs[0].shape, req.attrs as Attrs);
  const k = new ElementKernel(req, op);
  const x = k.input('x', req.inputs[0]);
  const u = (name: string, v: number) => k.uniform(`pool_${name}`, 'u32', v);
  const [h, w, hout, wout] = [u('h', g.h), u('w', g.w), u('hout', g.hout), u('wout', g.wout)];
  const [kh, kw, sh, sw, ph, pw] = [u('kh', g.kh), u('kw', g.kw), u('sh', g.strideH), u('sw', g.strideW), u('ph', g.padH), u('pw', g.padW)];
  return [
    k.finish((i): OpElement => {
      const window = [
        `let lpc_ox = ${i} % ${wout};`,
        `let lpc_t = ${i} / ${wout};`,
        `let lpc_oy = lpc_t % ${hout};`,
        `let lpc_base = (lpc_t / ${hout}) * ${h} * ${w};`,
        // first row and column of the window in the unpadded input (negative inside the padding)
        `let lpc_y0 = i32(lpc_oy * ${sh}) - i32(${ph});`,
        `let lpc_x0 = i32(lpc_ox * ${sw}) - i32(${pw});`,
        `let lpc_ys = u32(max(lpc_y0, 0i));`,
        `let lpc_xs = u32(max(lpc_x0, 0i));`,
        `let lpc_ye = u32(min(lpc_y0 + i32(${kh}), i32(${h})));`,
        `let lpc_xe = u32(min(lpc_x0 + i32(${kw}), i32(${w})));`,
      ];
      const at = wgsl('u32', `lpc_base + lpc_iy * ${w} + lpc_ix`);
      const loop = (body: string) => [
        `for (var lpc_iy = lpc_ys; lpc_iy < lpc_ye; lpc_iy++) {`,
        `  for (var lpc_ix = lpc_xs; lpc_ix < lpc_xe; lpc_ix++) {`,
        `    ${body}`,
        `  }`,
        `}`,
      ];
      if (kind === 'avg') {
        return {
          lines: [
            ...window,
            `var lpc_sum = 0.0;`,
            ...loop(`lpc_sum = lpc_sum + ${x.loadValue(at)};`),
            // Caffe's pool_size: the window clipped to the padded input, not to the input
            `let lpc_hn = min(lpc_y0 + i32(${kh}), i32(${h} + ${ph})) - lpc_y0;`,
            `let lpc_wn = min(lpc_x0 + i32(${kw}), i32(${w} + ${pw})) - lpc_x0;`,
          ],
          value: wgsl('f32', `lpc_sum / f32(lpc_hn * lpc_wn)`),
        };
      }
      const first = wgsl('u32', `lpc_base + lpc_ys * ${w} + lpc_xs`);
      const t = x.type;
      if (t.kind === 'f32') {
        return {
          lines: [...window, `var lpc_best = ${x.loadValue(first)};`, ...loop(`let lpc_v = ${x.loadValue(at)}; if (lpc_v > lpc_best) { lpc_best = lpc_v; }`)],
          value: wgsl('f32', 'lpc_best'),
        };
      }
      return {
        lines: [...window, `var lpc_best = ${x.loadCode(first)};`, ...loop(`let lpc_v = ${x.loadCode(at)}; if (lpc_v > lpc_best) { lpc_best = lpc_v; }`)],
        code: wgsl('i32', 'lpc_best'),
        type: t,
      };
    }),
  ];
}
