import { F32 } from '../../../../numeric/number-type.js';
import { wgsl } from '../expr.js';
import type { KernelBackwardRequest, KernelDispatch } from '../kernel.js';
import { GemmKernel, outputGradientLoader, scratchTensor, steCondition, type OperandPlan } from './gemm-backward-kernel.js';
import { paramTiles, type GemmBackwardGeometry } from './gemm-backward-plan.js';

/**
 * dW and db of conv / dense: dW[oc, icg, ky, kx] = sum over (n, oy, ox) of
 * x[n, ic, oy * stride - pad + ky * dil, ...] * dY[n, oc, oy, ox] (padding reads as 0), and
 * db[oc] = sum of dY[n, oc, ...]. Seen as a GEMM, the rows are the output channels of a group, the
 * columns the group's fan-in (icg, ky, kx), the reduction the output positions; db is one more
 * column whose input is the constant 1 (g * 1 is exact, so it is the plain sum of dY).
 *
 * One invocation computes a tile of tr rows x tf columns over one slice of the positions, walking
 * them in order (image, output row, output column) with incremental counters; per position it
 * loads tr gradients and tf inputs for tr * tf multiply-adds. With one slice it writes the
 * gradients directly; otherwise it writes its partial sums to scratch (slice-major) and a second
 * dispatch adds each element's partials in slice order. Either way the gradient reaching a master
 * through a `clipped` quantizer is zeroed where the quantizer saturated.
 */
export interface ParamWants {
  weights: boolean;
  bias: boolean;
}

/** Writes one parameter gradient element: columns below the fan-in are weights, the last is the bias. */
function paramWriter(k: GemmKernel, req: KernelBackwardRequest, g: GemmBackwardGeometry, want: ParamWants) {
  const dwT = req.gradParams[0];
  const dbT = req.gradParams[1];
  const dw = want.weights && dwT ? k.input('dw', dwT, 'read_write') : undefined;
  const db = want.bias && dbT ? k.input('db', dbT, 'read_write') : undefined;
  const steW = dw ? steCondition(k, req, 0, 'w_master') : undefined;
  const steB = db ? steCondition(k, req, 1, 'b_master') : undefined;
  const KK = k.u32('bw_kk', g.kh * g.kw);
  const WSO = k.u32('bw_wso', g.weightStrideOut);
  const WSI = k.u32('bw_wsi', g.weightStrideIn);
  const FANIN = k.u32('bw_fanin', (g.cin / g.group) * g.kh * g.kw);
  const wi = wgsl('u32', 'lpc_wi');
  return (oc: string, f: string, value: string): string[] => {
    const v = wgsl('f32', value);
    const weightLines = dw
      ? [`let lpc_wi = ${oc} * ${WSO} + (${f} / ${KK}) * ${WSI} + ${f} % ${KK};`, dw.storeValue(wi, steW ? wgsl('f32', `select(0.0, ${v}, ${steW(wi)})`) : v)]
      : [];
    const at = wgsl('u32', oc);
    const biasLines = db ? [db.storeValue(at, steB ? wgsl('f32', `select(0.0, ${v}, ${steB(at)})`) : v)] : [];
    if (dw && db) return [`if (${f} < ${FANIN}) {`, ...weightLines.map((l) => `  ${l}`), `} else {`, ...biasLines.map((l) => `  ${l}`), `}`];
    return dw ? weightLines : biasLines;
  };
}

export function paramGradientDispatches(req: KernelBackwardRequest, g: GemmBackwardGeometry, want: ParamWants, gradPlan: OperandPlan, what: string): KernelDispatch[] {
  const cing = g.cin / g.group;
  const coutg = g.cout / g.group;
  const fanIn = cing * g.kh * g.kw;
  const columns = (want.weights ? fanIn : 0) + (want.bias ? 1 : 0);
  const colOffset = want.weights ? 0 : fanIn;
  const { tr, tf, slices } = paramTiles(req, g, columns);
  const positions = g.n * g.hout * g.wout;
  const sliceLength = Math.ceil(positions / slices);
  const rowBlocks = Math.ceil(coutg / tr);
  const colBlocks = Math.ceil(columns / tf);
  const partials = slices > 1 ? scratchTensor(req, 'param-grad-partials', slices * g.cout * columns) : undefined;

  const k = new GemmKernel(req);
  const grad = outputGradientLoader(k, req, gradPlan);
  const x = want.weights ? k.input('x', req.inputs[0]) : undefined;
  const u = (name: string, v: number) => k.u32(`bw_${name}`, v);
  const [CIN, H, W, HW, COUT, CING, COUTG] = [u('cin', g.cin), u('h', g.h), u('w', g.w), u('hw', g.h * g.w), u('cout', g.cout), u('cing', cing), u('coutg', coutg)];
  const [KW, SH, SW, PH, PW, DH, DW] = [u('kw', g.kw), u('sh', g.strideH), u('sw', g.strideW), u('ph', g.padH), u('pw', g.padW), u('dh', g.dilH), u('dw', g.dilW)];
  const [HOUT, WOUT, PLANE, KK, FANIN] = [u('hout', g.hout), u('wout', g.wout), u('plane', g.hout * g.wout), u('kk', g.kh * g.kw), u('fanin', fanIn)];
  const [NC, COLOFF, NCB, RBG, G] = [u('columns', columns), u('coloff', colOffset), u('colblocks', colBlocks), u('rowblocks', rowBlocks), u('groups', g.group)];
  const [T, SLICE] = [u('positions', positions), u('slice', sliceLength)];

  const R = Array.from({ length: tr }, (_, j) => j);
  const F = Array.from({ length: tf }, (_, i) => i);
  const pairs = R.flatMap((j) => F.map((i) => [j, i] as const));
  const acc = (j: number, i: number) => `lpc_a_${j}_${i}`;
  const body = [
    // invocation -> (slice, group, row block, column block); columns fastest
    `let lpc_cb = lpc_id % ${NCB};`,
    `var lpc_t = lpc_id / ${NCB};`,
    `let lpc_rb = lpc_t % ${RBG};`,
    `lpc_t = lpc_t / ${RBG};`,
    `let lpc_grp = lpc_t % ${G};`,
    `let lpc_s = lpc_t / ${G};`,
    ...R.flatMap((j) => [
      `let lpc_rl_${j} = lpc_rb * ${tr}u + ${j}u;`,
      `let lpc_oc_${j} = lpc_grp * ${COUTG} + min(lpc_rl_${j}, ${COUTG} - 1u);`,
      `let lpc_go_${j} = lpc_oc_${j} * ${PLANE};`,
    ]),
    ...F.flatMap((i) => {
      const lines = [`let lpc_c_${i} = lpc_cb * ${tf}u + ${i}u;`, `let lpc_f_${i} = min(lpc_c_${i}, ${NC} - 1u) + ${COLOFF};`];
      if (want.bias && want.weights) lines.push(`let lpc_isb_${i} = lpc_f_${i} >= ${FANIN};`);
      if (want.weights) {
        // the column's input channel and kernel tap, and the tap's offset from the output position
        lines.push(
          `let lpc_fw_${i} = min(lpc_f_${i}, ${FANIN} - 1u);`,
          `let lpc_xo_${i} = (lpc_grp * ${CING} + lpc_fw_${i} / ${KK}) * ${HW};`,
          `let lpc_yk_${i} = i32(((lpc_fw_${i} % ${KK}) / ${KW}) * ${DH}) - i32(${PH});`,
          `let lpc_xk_${i} = i32((lpc_fw_${i} % ${KW}) * ${DW}) - i32(${PW});`,
        );
      }
      return lines;
    }),
    `let lpc_t0 = min(lpc_s * ${SLICE}, ${T});`,
    `let lpc_t1 = min(lpc_t0 + ${SLICE}, ${T});`,
    `var lpc_ox = lpc_t0 % ${WOUT};`,
    `var lpc_oy = (lpc_t0 / ${WOUT}) % ${HOUT};`,
    `var lpc_n = lpc_t0 / ${PLANE};`,
    ...pairs.map(([j, i]) => `var ${acc(j, i)} = 0.0;`),
    `for (var lpc_p = lpc_t0; lpc_p < lpc_t1; lpc_p++) {`,
    `  let lpc_gb = lpc_n * ${COUT} * ${PLANE} + lpc_oy * ${WOUT} + lpc_ox;`,
    ...R.map((j) => `  let lpc_g_${j} = ${grad(wgsl('u32', `lpc_gb + lpc_go_${j}`))};`),
  ];
  if (x) {
    body.push(`  let lpc_xb = lpc_n * ${CIN} * ${HW};`, `  let lpc_y0 = i32(lpc_oy * ${SH});`, `  let lpc_x0 = i32(lpc_ox * ${SW});`);
    for (const i of F) {
      const index = wgsl('u32', `select(0u, lpc_xb + lpc_xo_${i} + u32(lpc_iy_${i}) * ${W} + u32(lpc_ix_${i}), lpc_in_${i})`);
      body.push(
        `  let lpc_iy_${i} = lpc_y0 + lpc_yk_${i};`,
        `  let lpc_ix_${i} = lpc_x0 + lpc_xk_${i};`,
        // negative coordinates wrap to large u32 values: one comparison per axis tests both edges
        `  let lpc_in_${i} = u32(lpc_iy_${i}) < ${H} && u32(lpc_ix_${i}) < ${W};`,
        `  let lpc_v_${i} = select(0.0, ${x.loadValue(index)}, lpc_in_${i});`,
        want.bias ? `  let lpc_x_${i} = select(lpc_v_${i}, 1.0, lpc_isb_${i});` : `  let lpc_x_${i} = lpc_v_${i};`,
      );
    }
  } else {
    body.push(...F.map((i) => `  let lpc_x_${i} = 1.0;`));
  }
  body.push(
    ...pairs.map(([j, i]) => `  ${acc(j, i)} = ${acc(j, i)} + lpc_g_${j} * lpc_x_${i};`),
    `  lpc_ox = lpc_ox + 1u;`,
    `  if (lpc_ox == ${WOUT}) {`,
    `    lpc_ox = 0u;`,
    `    lpc_oy = lpc_oy + 1u;`,
    `    if (lpc_oy == ${HOUT}) { lpc_oy = 0u; lpc_n = lpc_n + 1u; }`,
    `  }`,
    `}`,
  );

  const label = `${what} backward: weight gradient`;
  const invocations = slices * g.group * rowBlocks * colBlocks;
  if (!partials) {
    const write = paramWriter(k, req, g, want);
    for (const [j, i] of pairs) {
      body.push(`if (lpc_rl_${j} < ${COUTG} && lpc_c_${i} < ${NC}) {`, ...write(`lpc_oc_${j}`, `lpc_f_${i}`, acc(j, i)).map((l) => `  ${l}`), `}`);
    }
    return [k.dispatch(label, invocations, body)];
  }
  const part = k.scratchTensor('partials', partials, 'read_write');
  const E = u('elements', g.cout * columns);
  for (const [j, i] of pairs) {
    const at = wgsl('u32', `lpc_s * ${E} + lpc_oc_${j} * ${NC} + lpc_c_${i}`);
    body.push(`if (lpc_rl_${j} < ${COUTG} && lpc_c_${i} < ${NC}) { ${part.storeValue(at, wgsl('f32', acc(j, i)))} }`);
  }
  return [k.dispatch(`${label}, partial sums`, invocations, body), finishDispatch(req, g, want, partials.id, slices, columns, colOffset, what)];
}

/** The second pass of a split reduction: each element's partial sums, added in slice order. */
function finishDispatch(
  req: KernelBackwardRequest,
  g: GemmBackwardGeometry,
  want: ParamWants,
  partialsId: string,
  slices: number,
  columns: number,
  colOffset: number,
  what: string,
): KernelDispatch {
  const k = new GemmKernel(req);
  const elements = g.cout * columns;
  const part = k.scratchTensor('partials', { id: partialsId, type: F32, shape: [slices * elements] });
  const [E, S, NC, COLOFF] = [k.u32('bw_elements', elements), k.u32('bw_slices', slices), k.u32('bw_columns', columns), k.u32('bw_coloff', colOffset)];
  const write = paramWriter(k, req, g, want);
  const body = [
    `var lpc_sum = ${part.loadValue(wgsl('u32', 'lpc_id'))};`,
    `for (var lpc_s = 1u; lpc_s < ${S}; lpc_s++) {`,
    `  lpc_sum = lpc_sum + ${part.loadValue(wgsl('u32', `lpc_s * ${E} + lpc_id`))};`,
    `}`,
    `let lpc_oc = lpc_id / ${NC};`,
    `let lpc_f = lpc_id % ${NC} + ${COLOFF};`,
    ...write('lpc_oc', 'lpc_f', 'lpc_sum'),
  ];
  return k.dispatch(`${what} backward: weight gradient, sum of ${slices} slices`, elements, body);
}
