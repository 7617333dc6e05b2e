import type { ConvGeometry } from '../../../../numeric/conv-geometry.js';
import { storageLayout } from '../packing.js';
import { wgsl, type Expr } from '../expr.js';
import { helper } from '../helper.js';
import type { KernelDispatch, KernelRequest } from '../kernel.js';
import type { TensorAccessor } from '../tensor-accessor.js';
import { chooseConfig, configRecord, gemmCandidates, type GemmConfig, type GemmShape } from './gemm-config.js';
import { GemmKernel } from './gemm-kernel.js';
import { accumulatorFracBits, FLAT_K, layerElement, ParamReader, type GemmMac, type GemmOperand, type KLevel } from './gemm-operands.js';

/**
 * Convolution as an implicit GEMM (gemm-kernel.ts) over NCHW tensors, for every stride, padding,
 * dilation and group count:
 *
 *   z   = image * groups + group          one GEMM per image and group
 *   row = output channel within the group  A = weights [filters, Cin/group, kh, kw], row-major: the
 *                                          fan-in of output channel oc is weights[oc * K + k]
 *   col = output pixel oy * Wout + ox      B = the input window of the pixel ("im2col" on the fly):
 *                                          k = (input channel of the group, kernel row, kernel
 *                                          column), the walk's three loops in that order
 *
 * so the output's flat index (z * rows + row) * cols + col is NCHW. Padded taps read 0 (the
 * reference skips them: adding +0 leaves an f32 sum unchanged). Sizes are uniforms: one pipeline
 * serves every layer with the same types, bias, epilogue and tile configuration.
 */
export type ConvGemmGeometry = ConvGeometry;

export function convShape(req: KernelRequest, g: ConvGemmGeometry): GemmShape {
  return {
    rows: g.cout / g.group,
    cols: g.hout * g.wout,
    batches: g.n * g.group,
    k: (g.cin / g.group) * g.kh * g.kw,
    lanes: storageLayout(req.output.type).lanes,
    tileElementBytes: 4,
    ...(g.strideW === 1 && g.dilW === 1 ? { rowRun: g.wout } : {}),
  };
}

/** Candidate tile configurations for `lpc tune` (the default first). */
export function convConfigs(req: KernelRequest, g: ConvGemmGeometry): Record<string, number>[] {
  return gemmCandidates(convShape(req, g), req.capabilities).map(configRecord);
}

/** The forward kernel of a (fused) conv node: one dispatch. */
export function convKernel(req: KernelRequest, g: ConvGemmGeometry, config?: GemmConfig): KernelDispatch[] {
  const shape = convShape(req, g);
  const k = new GemmKernel(req, 'conv', shape, config ?? chooseConfig(req.config, shape, req.capabilities));
  const exact = req.accumulate === 'exact';
  const x = k.input('input', req.inputs[0]);
  const weights = new ParamReader(k.b, req, 0, k.input('weights', req.params[0]), k.rng);
  const bias = req.params.length > 1 ? new ParamReader(k.b, req, 1, k.input('bias', req.params[1]), k.rng) : undefined;
  const mac: GemmMac = exact ? 'i32' : 'f32';
  const accFrac = exact ? accumulatorFracBits(x.type, weights.type) : undefined;

  const u = {
    cin: k.u32('cv_cin', g.cin),
    cig: k.u32('cv_cig', g.cin / g.group),
    cog: k.u32('cv_cog', g.cout / g.group),
    groups: k.u32('cv_groups', g.group),
    h: k.u32('cv_h', g.h),
    w: k.u32('cv_w', g.w),
    hw: k.u32('cv_hw', g.h * g.w),
    kh: k.u32('cv_kh', g.kh),
    kw: k.u32('cv_kw', g.kw),
    wout: k.u32('cv_wout', g.wout),
    sh: k.u32('cv_sh', g.strideH),
    sw: k.u32('cv_sw', g.strideW),
    ph: k.u32('cv_ph', g.padH),
    pw: k.u32('cv_pw', g.padW),
    dh: k.u32('cv_dh', g.dilH),
    dw: k.u32('cv_dw', g.dilW),
  };
  const levels: KLevel[] = [
    { v: 'lpc_kc', count: u.cig },
    { v: 'lpc_ky', count: u.kh },
    { v: 'lpc_kx', count: u.kw },
  ];
  const load = (acc: TensorAccessor, i: Expr<'u32'>) => (exact ? acc.loadCode(i) : acc.loadValue(i));
  const zero = exact ? '0i' : '0.0';

  // A: weights. The fan-in of output channel oc of group g is weights[(g * cog + oc) * K + k].
  const a: GemmOperand = {
    prepare: (e, row, z) => [`let cw_row${e} = ((${z} % ${u.groups}) * ${u.cog} + ${row}) * ${k.k};`],
    enter: () => [],
    load: (e) => {
      const i = wgsl('u32', `cw_row${e} + ${FLAT_K}`);
      return exact ? weights.code(i) : weights.value(i);
    },
    at: (row, z, kk) => {
      const i = wgsl('u32', `((${z} % ${u.groups}) * ${u.cog} + ${row}) * ${k.k} + ${kk}`);
      return { lines: [], value: exact ? weights.code(i) : weights.value(i) };
    },
  };

  // B: the input window of output pixel col, read through the fan-in walk without division.
  const b: GemmOperand = {
    prepare: (e, col, z) => [
      `let cx_y${e} = i32((${col} / ${u.wout}) * ${u.sh}) - i32(${u.ph});`,
      `let cx_x${e} = i32((${col} % ${u.wout}) * ${u.sw}) - i32(${u.pw});`,
      `let cx_base${e} = ((${z} / ${u.groups}) * ${u.cin} + (${z} % ${u.groups}) * ${u.cig}) * ${u.hw};`,
    ],
    enter: (level, e) => {
      if (level === 0) return [`let cx_c${e} = cx_base${e} + lpc_kc * ${u.hw};`];
      if (level === 1) {
        // a negative row becomes a huge u32: one unsigned comparison checks both edges
        return [`let cx_iy${e} = cx_y${e} + i32(lpc_ky * ${u.dh});`, `let cx_yok${e} = u32(cx_iy${e}) < ${u.h};`, `let cx_r${e} = cx_c${e} + u32(cx_iy${e}) * ${u.w};`];
      }
      return [
        `let cx_ix${e} = cx_x${e} + i32(lpc_kx * ${u.dw});`,
        `let cx_ok${e} = cx_yok${e} && u32(cx_ix${e}) < ${u.w};`,
        `let cx_i${e} = select(0u, cx_r${e} + u32(cx_ix${e}), cx_ok${e});`,
      ];
    },
    load: (e) => wgsl(exact ? 'i32' : 'f32', `select(${zero}, ${load(x, wgsl('u32', `cx_i${e}`))}, cx_ok${e})`),
    at: (col, z, kk, tag) => {
      const n = (s: string) => `cx_${s}_${tag}`;
      return {
        lines: [
          `let ${n('c')} = ${kk} / (${u.kh} * ${u.kw});`,
          `let ${n('t')} = ${kk} % (${u.kh} * ${u.kw});`,
          `let ${n('iy')} = i32((${col} / ${u.wout}) * ${u.sh}) - i32(${u.ph}) + i32((${n('t')} / ${u.kw}) * ${u.dh});`,
          `let ${n('ix')} = i32((${col} % ${u.wout}) * ${u.sw}) - i32(${u.pw}) + i32((${n('t')} % ${u.kw}) * ${u.dw});`,
          `let ${n('ok')} = u32(${n('iy')}) < ${u.h} && u32(${n('ix')}) < ${u.w};`,
          `let ${n('i')} = select(0u, ((${z} / ${u.groups}) * ${u.cin} + (${z} % ${u.groups}) * ${u.cig} + ${n('c')}) * ${u.hw} + u32(${n('iy')}) * ${u.w} + u32(${n('ix')}), ${n('ok')});`,
        ],
        value: wgsl(exact ? 'i32' : 'f32', `select(${zero}, ${load(x, wgsl('u32', n('i')))}, ${n('ok')})`),
      };
    },
  };

  // Sliding window: an invocation's pixels are consecutive in one output row (the register layout,
  // rows of Wout a multiple of its columns), and with unit stride and dilation along W, kernel
  // column kx + 1 of pixel c reads what kernel column kx of pixel c + 1 read. So per kernel column
  // one new input element is loaded and the others shift: cols + kw - 1 loads per kernel row
  // instead of cols * kw.
  const c = k.config;
  const window = c.variant === 'registers' && c.cols > 1 && g.strideW === 1 && g.dilW === 1 && g.wout % c.cols === 0;
  const tapHelper = () =>
    helper(
      `lpc_conv_tap_${exact ? 'code' : 'value'}`,
      [
        `fn lpc_conv_tap_${exact ? 'code' : 'value'}(lpc_r: u32, lpc_ix: i32, lpc_yok: bool) -> ${exact ? 'i32' : 'f32'} {`,
        `  let lpc_ok = lpc_yok && u32(lpc_ix) < ${u.w};`,
        `  return select(${zero}, ${load(x, wgsl('u32', 'select(0u, lpc_r + u32(lpc_ix), lpc_ok)'))}, lpc_ok);`,
        '}',
      ].join('\n'),
    );
  const tap = window ? k.b.use(tapHelper()) : '';
  const last = c.cols - 1;
  const windowB: GemmOperand = {
    ...b,
    // entry 0 locates the window; pixel e is entry 0's plus e
    prepare: (e, col, z) => (e === 0 ? b.prepare(0, col, z) : []),
    enter: (level, e) => (level === 0 && e === 0 ? b.enter(0, 0) : []),
    enterShared: (level) => {
      if (level === 1) {
        return [
          `let cx_iy = cx_y0 + i32(lpc_ky * ${u.dh});`,
          `let cx_yok = u32(cx_iy) < ${u.h};`,
          `let cx_r = cx_c0 + u32(cx_iy) * ${u.w};`,
          ...Array.from({ length: last }, (_, j) => `var cx_v${j} = ${tap}(cx_r, cx_x0 + ${j}i, cx_yok);`),
        ];
      }
      return level === 2 ? [`let cx_new = ${tap}(cx_r, cx_x0 + i32(lpc_kx) + ${last}i, cx_yok);`] : [];
    },
    load: (e) => wgsl(exact ? 'i32' : 'f32', e < last ? `cx_v${e}` : 'cx_new'),
    afterStep: () => Array.from({ length: last }, (_, j) => `cx_v${j} = ${j + 1 < last ? `cx_v${j + 1}` : 'cx_new'};`),
  };

  const dispatch = k.finish({
    levels,
    mac,
    a,
    b: window ? windowB : b,
    own: (acc, row, _col, z) => layerElement(k.b, acc, accFrac, bias, wgsl('u32', `(${z} % ${u.groups}) * ${u.cog} + ${row}`)),
  });
  return [dispatch];
}
