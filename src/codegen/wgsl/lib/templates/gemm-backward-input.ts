import type { KernelBackwardRequest, KernelDispatch } from '../kernel.js';
import { wgsl } from '../expr.js';
import { GemmKernel, outputGradientLoader, weightLoader, type OperandPlan } from './gemm-backward-kernel.js';
import type { GemmBackwardGeometry, InputTiles } from './gemm-backward-plan.js';

/**
 * dX of conv / dense as a gather (a transposed convolution): each input-gradient element sums
 * W[oc, icg, ky, kx] * dY[n, oc, oy, ox] over the taps that read it in the forward, i.e. where
 * iy = oy * stride - pad + ky * dilation (and the same for columns) for some output row oy.
 *
 * One invocation computes a register tile of tc input channels (of one group) x tn images x tx
 * input columns. The columns of a tile are ix0, ix0 + stride, ix0 + 2 * stride, ...: one class of
 * columns modulo the stride, so for every kernel column kx they either all meet a tap (at
 * consecutive output columns) or all fall between strides, and the tile shares its index work. Per
 * (ky, kx, oc) it loads tc weights and tn * tx gradients for tc * tn * tx multiply-adds.
 *
 * The sum of each element runs over (ky, kx, oc) ascending; invalid taps are skipped for a whole
 * kernel row or column, and individual columns past the output's edge add a zero.
 */
export function inputGradientDispatch(
  req: KernelBackwardRequest,
  g: GemmBackwardGeometry,
  tiles: InputTiles,
  gradPlan: OperandPlan,
  weightPlan: OperandPlan,
  what: string,
): KernelDispatch {
  const dxTensor = req.gradInputs[0];
  if (!dxTensor) throw new Error(`node '${req.node}': no input gradient was requested`);
  const k = new GemmKernel(req);
  const grad = outputGradientLoader(k, req, gradPlan);
  const weight = weightLoader(k, req, weightPlan);
  const dx = k.input('dx', dxTensor, 'read_write');
  const { tc, tn, tx } = tiles;

  const cing = g.cin / g.group;
  const columnsPerClass = Math.ceil(g.w / g.strideW);
  const xBlocks = g.strideW * Math.ceil(columnsPerClass / tx);
  const channelBlocks = Math.ceil(cing / tc);
  const invocations = Math.ceil(g.n / tn) * g.group * channelBlocks * g.h * xBlocks;

  const u = (name: string, v: number) => k.u32(`bw_${name}`, v);
  const [N, CIN, H, W, COUT] = [u('n', g.n), u('cin', g.cin), u('h', g.h), u('w', g.w), u('cout', g.cout)];
  const [CING, COUTG, KH, KW] = [u('cing', cing), u('coutg', g.cout / g.group), u('kh', g.kh), u('kw', g.kw)];
  const [SH, SW, PH, PW, DH, DW] = [u('sh', g.strideH), u('sw', g.strideW), u('ph', g.padH), u('pw', g.padW), u('dh', g.dilH), u('dw', g.dilW)];
  const [HOUT, WOUT, WSO, WSI] = [u('hout', g.hout), u('wout', g.wout), u('wso', g.weightStrideOut), u('wsi', g.weightStrideIn)];
  const [XB, CBG, GCB] = [u('xblocks', xBlocks), u('cblocks', channelBlocks), u('gcblocks', g.group * channelBlocks)];
  const PLANE = u('plane', g.hout * g.wout);

  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const C = range(tc);
  const Q = range(tn);
  const J = range(tx);
  const each = (f: (c: number, q: number, j: number) => string) => C.flatMap((c) => Q.flatMap((q) => J.map((j) => f(c, q, j))));
  const acc = (c: number, q: number, j: number) => `lpc_a_${c}_${q}_${j}`;

  const body = [
    // invocation -> (image block, group and channel block, input row, column block); columns fastest
    `let lpc_xbi = lpc_id % ${XB};`,
    `var lpc_t = lpc_id / ${XB};`,
    `let lpc_iy = lpc_t % ${H};`,
    `lpc_t = lpc_t / ${H};`,
    `let lpc_cb = lpc_t % ${GCB};`,
    `let lpc_nb = lpc_t / ${GCB};`,
    `let lpc_grp = lpc_cb / ${CBG};`,
    `let lpc_icgs = (lpc_cb % ${CBG}) * ${tc}u;`,
    `let lpc_r = lpc_xbi % ${SW};`,
    `let lpc_blk = lpc_xbi / ${SW};`,
    `let lpc_oc0 = lpc_grp * ${COUTG};`,
    ...C.map((c) => `let lpc_icg_${c} = min(lpc_icgs + ${c}u, ${CING} - 1u);`),
    ...Q.map((q) => `let lpc_n_${q} = min(lpc_nb * ${tn}u + ${q}u, ${N} - 1u);`),
    ...J.map((j) => `let lpc_ix_${j} = lpc_r + ${SW} * (lpc_blk * ${tx}u + ${j}u);`),
    ...each((c, q, j) => `var ${acc(c, q, j)} = 0.0;`),
    `for (var lpc_ky = 0u; lpc_ky < ${KH}; lpc_ky++) {`,
    // output row oy with oy * stride = iy + pad - ky * dilation, if any
    `  let lpc_ty = i32(lpc_iy) + i32(${PH}) - i32(lpc_ky * ${DH});`,
    `  if (lpc_ty < 0i || lpc_ty % i32(${SH}) != 0i) { continue; }`,
    `  let lpc_oy = u32(lpc_ty) / ${SH};`,
    `  if (lpc_oy >= ${HOUT}) { continue; }`,
    `  for (var lpc_kx = 0u; lpc_kx < ${KW}; lpc_kx++) {`,
    `    let lpc_bx = i32(lpc_r) + i32(${PW}) - i32(lpc_kx * ${DW});`,
    `    if (((lpc_bx % i32(${SW})) + i32(${SW})) % i32(${SW}) != 0i) { continue; }`,
    // exact division: lpc_bx is a multiple of the stride; tile column j meets output column ox0 + j
    `    let lpc_oxb = lpc_bx / i32(${SW}) + i32(lpc_blk * ${tx}u);`,
    ...J.flatMap((j) => [
      `    let lpc_ok_${j} = lpc_oxb + ${j}i >= 0i && lpc_oxb + ${j}i < i32(${WOUT});`,
      `    let lpc_ox_${j} = u32(clamp(lpc_oxb + ${j}i, 0i, i32(${WOUT}) - 1i));`,
    ]),
    ...Q.flatMap((q) => J.map((j) => `    let lpc_gb_${q}_${j} = (lpc_n_${q} * ${COUT} * ${HOUT} + lpc_oy) * ${WOUT} + lpc_ox_${j};`)),
    `    let lpc_tap = lpc_ky * ${KW} + lpc_kx;`,
    ...C.map((c) => `    let lpc_wb_${c} = lpc_icg_${c} * ${WSI} + lpc_tap;`),
    `    for (var lpc_oc = lpc_oc0; lpc_oc < lpc_oc0 + ${COUTG}; lpc_oc++) {`,
    `      let lpc_go = lpc_oc * ${PLANE};`,
    `      let lpc_wo = lpc_oc * ${WSO};`,
    ...C.map((c) => `      let lpc_w_${c} = ${weight(wgsl('u32', `lpc_wo + lpc_wb_${c}`))};`),
    ...Q.flatMap((q) => J.map((j) => `      let lpc_g_${q}_${j} = select(0.0, ${grad(wgsl('u32', `lpc_go + lpc_gb_${q}_${j}`))}, lpc_ok_${j});`)),
    ...each((c, q, j) => `      ${acc(c, q, j)} = ${acc(c, q, j)} + lpc_w_${c} * lpc_g_${q}_${j};`),
    `    }`,
    `  }`,
    `}`,
  ];
  const accumulate = req.accumulateInputs[0] === true;
  for (const [c, q, j] of C.flatMap((c) => Q.flatMap((q) => J.map((j) => [c, q, j] as const)))) {
    const at = wgsl('u32', 'lpc_o');
    const value = wgsl('f32', accumulate ? `${dx.loadValue(at)} + ${acc(c, q, j)}` : acc(c, q, j));
    body.push(
      `if (lpc_icgs + ${c}u < ${CING} && lpc_nb * ${tn}u + ${q}u < ${N} && lpc_ix_${j} < ${W}) {`,
      `  let lpc_o = ((lpc_n_${q} * ${CIN} + lpc_grp * ${CING} + lpc_icg_${c}) * ${H} + lpc_iy) * ${W} + lpc_ix_${j};`,
      `  ${dx.storeValue(at, value)}`,
      `}`,
    );
  }
  return k.dispatch(`${what} backward: input gradient`, invocations, body);
}
