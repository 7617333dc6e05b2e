import { KernelParts } from './kernel-parts.js';
import { wgsl, type Expr } from '../expr.js';
import { dot4I8 } from '../dot4.js';
import { helper } from '../helper.js';
import type { KernelDispatch, KernelRequest } from '../kernel.js';
import { gridFor } from '../shader-builder.js';
import type { TensorAccessor } from '../tensor-accessor.js';
import { finishElement, resultType, type OpElement } from './element-result.js';
import { storeLanes } from './element-kernel.js';
import { configName, type GemmConfig, type GemmShape } from './gemm-config.js';
import { FLAT_K, type GemmMac, type GemmOperand, type KLevel, type OperandValue } from './gemm-operands.js';

/**
 * The implicit-GEMM kernel template shared by conv and dense: out[z][row][col] = the layer's
 * result from sum over k of A(z, row, k) * B(z, col, k), stored at the flat index
 * (z * rows + row) * cols + col (NCHW for conv, [rows, units] for dense), after the request's
 * epilogue (bias, activations, output quantizer) and packed at the output's width.
 *
 * Usage (src/codegen/wgsl/lib/templates/conv-gemm.ts):
 *
 *   const k = new GemmKernel(req, 'conv', shape, config);
 *   const x = k.input('input', req.inputs[0]);          // bindings and length uniforms recorded
 *   const cin = k.u32('cv_cin', g.cin);              // shapes are uniforms: one pipeline per
 *   ... operands built on k.b ...                        //   types and tile configuration
 *   return [k.finish({ levels, mac, a, b, own })];
 *
 * The three layouts (gemm-config.ts) differ only in where the operands come from and how the
 * invocations split the outputs; each output's sum runs over k in order, and every output element
 * goes through the same function (`lpc_gemm_out`: the layer's result, the epilogue, the
 * conversion to the output type), so all layouts store the same values.
 */
export interface GemmProblem {
  /** The fan-in walk, outermost loop first. */
  levels: KLevel[];
  mac: GemmMac;
  /** The operand indexed by rows (conv: weights; dense: input rows). */
  a: GemmOperand;
  /** The operand indexed by columns (conv: input windows; dense: weights). */
  b: GemmOperand;
  /** The layer's own result (before the epilogue) for the output (row, col, z) from its accumulator. */
  own(acc: Expr<'f32'> | Expr<'i32'>, row: Expr<'u32'>, col: Expr<'u32'>, z: Expr<'u32'>): OpElement;
}

export class GemmKernel extends KernelParts {
  constructor(
    readonly req: KernelRequest,
    readonly what: string,
    readonly shape: GemmShape,
    readonly config: GemmConfig,
  ) {
    super(req.capabilities, [config.wgx, config.wgy]);
  }

  get rows(): Expr<'u32'> {
    return this.u32('gm_rows', this.shape.rows);
  }

  get cols(): Expr<'u32'> {
    return this.u32('gm_cols', this.shape.cols);
  }

  get k(): Expr<'u32'> {
    return this.u32('gm_k', this.shape.k);
  }

  finish(p: GemmProblem): KernelDispatch {
    const c = this.config;
    if (p.mac === 'dot4' && c.variant === 'workgroup') throw new Error('dot4 words cannot be staged in workgroup tiles; use i32 codes');
    const out = this.input('output', this.req.output, 'read_write');
    const outFn = this.outputFunction(p);
    let body: string[];
    let workgroups: [number, number, number];
    const s = this.shape;
    if (c.variant === 'flat') {
      body = this.flatBody(p, out, outFn);
      workgroups = gridFor(Math.ceil((s.batches * s.rows * s.cols) / c.cols), c.wgx, this.req.capabilities.maxComputeWorkgroupsPerDimension);
    } else if (c.variant === 'registers') {
      body = this.registerBody(p, out, outFn);
      workgroups = [Math.ceil(s.cols / (c.wgx * c.cols)), Math.ceil(s.rows / c.rows), s.batches];
    } else {
      body = this.workgroupBody(p, out, outFn);
      workgroups = [Math.ceil(s.cols / (c.wgx * c.cols)), Math.ceil(s.rows / (c.wgy * c.rows)), s.batches];
    }
    return this.dispatchOf(`${this.req.node} (${this.what}, ${configName(c)})`, this.b.main(body).build(), workgroups);
  }

  /** `fn lpc_gemm_out(acc, row, col, z)`: the layer's result, its epilogue and the output conversion. */
  private outputFunction(p: GemmProblem): string {
    const accType = p.mac === 'f32' ? 'f32' : 'i32';
    const acc = wgsl(accType, 'lpc_acc') as Expr<'f32'> | Expr<'i32'>;
    const [row, col, z] = [wgsl('u32', 'lpc_row'), wgsl('u32', 'lpc_col'), wgsl('u32', 'lpc_z')];
    const own = p.own(acc, row, col, z);
    const flat = wgsl('u32', 'lpc_flat');
    const done = finishElement(this.b, this.req, own, flat, this.rng);
    const rt = resultType(this.req.output.type);
    const lines = [
      `fn lpc_gemm_out(lpc_acc: ${accType}, lpc_row: u32, lpc_col: u32, lpc_z: u32) -> ${rt} {`,
      `  let lpc_flat = (lpc_z * ${this.rows} + lpc_row) * ${this.cols} + lpc_col;`,
      ...done.lines.map((l) => `  ${l}`),
      `  return ${done.result};`,
      '}',
    ];
    return this.b.use(helper('lpc_gemm_out', lines.join('\n')));
  }

  /**
   * One multiply-accumulate statement: f32 (a product rounded, then the sum: the reference's order;
   * a compiler may contract it to an FMA, which the tolerance covers), i32 codes (exact), or the
   * dot product of two words of four 8-bit codes (exact).
   */
  private mac(p: GemmProblem, acc: string, a: OperandValue | string, b: OperandValue | string): string {
    if (p.mac !== 'dot4') return `${acc} = ${acc} + ${a} * ${b};`;
    return `${acc} = ${acc} + ${dot4I8(this.b, wgsl('u32', String(a)), wgsl('u32', String(b)))};`;
  }

  private zero(p: GemmProblem): string {
    return p.mac === 'f32' ? '0.0' : '0i';
  }

  /** The fan-in loops around `inner`, with each operand's per-level statements for its entries. */
  private walk(p: GemmProblem, aEntries: number, bEntries: number, inner: string[]): string[] {
    const lines: string[] = [`var ${FLAT_K} = 0u;`];
    const open = (level: number, depth: string): void => {
      const l = p.levels[level];
      lines.push(`${depth}for (var ${l.v} = 0u; ${l.v} < ${l.count}; ${l.v}++) {`);
      const d = `${depth}  `;
      for (const op of [p.a, p.b]) {
        lines.push(...(op.enterShared?.(level) ?? []).map((x) => d + x));
        const entries = op === p.a ? aEntries : bEntries;
        for (let e = 0; e < entries; e++) lines.push(...op.enter(level, e).map((x) => d + x));
      }
      if (level + 1 < p.levels.length) open(level + 1, d);
      else lines.push(...inner.map((x) => d + x), ...[...(p.a.afterStep?.() ?? []), ...(p.b.afterStep?.() ?? [])].map((x) => d + x), `${d}${FLAT_K} = ${FLAT_K} + 1u;`);
      lines.push(`${depth}}`);
    };
    open(0, '');
    return lines;
  }

  /**
   * Stores the invocation's rows x cols block from `lpc_res`: a loop (not unrolled copies, which
   * lavapipe compiles slowly) over the block's output words, each computed whole.
   */
  private storeBlock(out: TensorAccessor, outFn: string): string[] {
    const { rows: R, cols: C } = this.config;
    const L = out.lanes;
    const wordsPerRow = C / L;
    const lanes = Array.from({ length: L }, (_, l) => `lpc_q${l}`);
    return [
      `for (var lpc_o = 0u; lpc_o < ${R * wordsPerRow}u; lpc_o++) {`,
      `  let lpc_r = lpc_o / ${wordsPerRow}u;`,
      `  let lpc_row = lpc_row0 + lpc_r;`,
      `  let lpc_col = lpc_col0 + (lpc_o % ${wordsPerRow}u) * ${L}u;`,
      `  if (lpc_row < ${this.rows} && lpc_col < ${this.cols}) {`,
      ...lanes.map((q, l) => `    let ${q} = ${outFn}(lpc_res[lpc_r * ${C}u + lpc_col - lpc_col0 + ${l}u], lpc_row, lpc_col + ${l}u, lpc_z);`),
      `    ${storeLanes(out, wgsl('u32', `((lpc_z * ${this.rows} + lpc_row) * ${this.cols} + lpc_col) / ${L}u`), lanes)}`,
      '  }',
      '}',
    ];
  }

  private accumulators(p: GemmProblem): string[] {
    const { rows: R, cols: C } = this.config;
    const lines: string[] = [];
    for (let r = 0; r < R; r++) lines.push(Array.from({ length: C }, (_, c) => `var lpc_acc${r}_${c} = ${this.zero(p)};`).join(' '));
    return lines;
  }

  private collectResults(p: GemmProblem): string[] {
    const { rows: R, cols: C } = this.config;
    const lines = [`var lpc_res: array<${p.mac === 'f32' ? 'f32' : 'i32'}, ${R * C}>;`];
    for (let r = 0; r < R; r++) lines.push(Array.from({ length: C }, (_, c) => `lpc_res[${r * C + c}] = lpc_acc${r}_${c};`).join(' '));
    return lines;
  }

  private registerBody(p: GemmProblem, out: TensorAccessor, outFn: string): string[] {
    const { rows: R, cols: C, wgx, subgroup: S } = this.config;
    const z = wgsl('u32', 'lpc_z');
    const lines = [
      'let lpc_z = wid.z;',
      // the rows of a workgroup are the same for all its invocations: their loads are uniform
      `let lpc_row0 = wid.y * ${R}u;`,
      `let lpc_col0 = (wid.x * ${wgx}u + lid.x) * ${C}u;`,
    ];
    // Entries past the edge load the last row / column; their results are not stored.
    const aEntries = S > 0 ? Math.ceil(R / S) : R;
    if (S > 0) {
      // Lane l of the subgroup loads row row0 + q*S + l % S of chunk q, and broadcasts it to the
      // others. All invocations are active here (no early return), so the exclusive sum of ones
      // is the lane index the broadcasts use.
      this.b.enable('subgroups');
      lines.push('let lpc_lane = subgroupExclusiveAdd(1u);');
      for (let q = 0; q < aEntries; q++) {
        lines.push(`let lpc_ra${q} = min(lpc_row0 + ${q * S}u + lpc_lane % ${S}u, ${this.rows} - 1u);`, ...p.a.prepare(q, wgsl('u32', `lpc_ra${q}`), z));
      }
    } else {
      for (let r = 0; r < R; r++) {
        lines.push(`let lpc_ra${r} = min(lpc_row0 + ${r}u, ${this.rows} - 1u);`, ...p.a.prepare(r, wgsl('u32', `lpc_ra${r}`), z));
      }
    }
    for (let c = 0; c < C; c++) {
      lines.push(`let lpc_cb${c} = min(lpc_col0 + ${c}u, ${this.cols} - 1u);`, ...p.b.prepare(c, wgsl('u32', `lpc_cb${c}`), z));
    }
    lines.push(...this.accumulators(p));
    const inner: string[] = [];
    if (S > 0) {
      for (let q = 0; q < aEntries; q++) {
        inner.push(`let lpc_sa${q} = ${p.a.load(q)};`);
        for (let j = 0; j < S && q * S + j < R; j++) inner.push(`let lpc_av${q * S + j} = subgroupBroadcast(lpc_sa${q}, ${j}u);`);
      }
    } else {
      for (let r = 0; r < R; r++) inner.push(`let lpc_av${r} = ${p.a.load(r)};`);
    }
    for (let c = 0; c < C; c++) inner.push(`let lpc_bv${c} = ${p.b.load(c)};`);
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) inner.push(this.mac(p, `lpc_acc${r}_${c}`, `lpc_av${r}`, `lpc_bv${c}`));
    lines.push(...this.walk(p, aEntries, C, inner), ...this.collectResults(p), ...this.storeBlock(out, outFn));
    return lines;
  }

  private workgroupBody(p: GemmProblem, out: TensorAccessor, outFn: string): string[] {
    const { rows: R, cols: C, wgx, wgy, tileK: TK } = this.config;
    const TM = wgy * R;
    const TN = wgx * C;
    const NT = wgx * wgy;
    const el = p.mac === 'f32' ? 'f32' : 'i32';
    const ta = this.b.workgroupArray('gemm_tile_a', el, TM * TK);
    const tb = this.b.workgroupArray('gemm_tile_b', el, TK * TN);
    const z = wgsl('u32', 'lpc_z');
    const fill = (tile: string, width: number, base: string, bound: Expr<'u32'>, op: GemmOperand, tag: string): string[] => {
      // Element t of the tile is (k step t / width, row or column t % width): consecutive
      // invocations load consecutive rows (columns), and t is also its index in the tile.
      const got = op.at(wgsl('u32', 'lpc_gi'), z, wgsl('u32', 'lpc_gk'), tag);
      return [
        `for (var lpc_t = lidx; lpc_t < ${width * TK}u; lpc_t += ${NT}u) {`,
        `  let lpc_gi = ${base} + lpc_t % ${width}u;`,
        `  let lpc_gk = lpc_k0 + lpc_t / ${width}u;`,
        `  var lpc_v = ${this.zero(p)};`,
        `  if (lpc_gi < ${bound} && lpc_gk < ${this.k}) {`,
        ...got.lines.map((l) => `    ${l}`),
        `    lpc_v = ${got.value};`,
        '  }',
        `  ${tile}[lpc_t] = lpc_v;`,
        '}',
      ];
    };
    const inner: string[] = [];
    for (let r = 0; r < R; r++) inner.push(`let lpc_av${r} = ${ta}[lpc_kk * ${TM}u + lid.y * ${R}u + ${r}u];`);
    for (let c = 0; c < C; c++) inner.push(`let lpc_bv${c} = ${tb}[lpc_kk * ${TN}u + lid.x * ${C}u + ${c}u];`);
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) inner.push(this.mac(p, `lpc_acc${r}_${c}`, `lpc_av${r}`, `lpc_bv${c}`));
    return [
      'let lpc_z = wid.z;',
      `let lpc_tr0 = wid.y * ${TM}u;`,
      `let lpc_tc0 = wid.x * ${TN}u;`,
      `let lpc_row0 = lpc_tr0 + lid.y * ${R}u;`,
      `let lpc_col0 = lpc_tc0 + lid.x * ${C}u;`,
      ...this.accumulators(p),
      // Barriers stay in uniform control flow: the k loop's bounds are uniforms.
      `for (var lpc_k0 = 0u; lpc_k0 < ${this.k}; lpc_k0 += ${TK}u) {`,
      ...fill(ta, TM, 'lpc_tr0', this.rows, p.a, 'ta').map((l) => `  ${l}`),
      ...fill(tb, TN, 'lpc_tc0', this.cols, p.b, 'tb').map((l) => `  ${l}`),
      '  workgroupBarrier();',
      `  let lpc_kn = min(${TK}u, ${this.k} - lpc_k0);`,
      '  for (var lpc_kk = 0u; lpc_kk < lpc_kn; lpc_kk++) {',
      ...inner.map((l) => `    ${l}`),
      '  }',
      '  workgroupBarrier();',
      '}',
      ...this.collectResults(p),
      ...this.storeBlock(out, outFn),
    ];
  }

  private flatBody(p: GemmProblem, out: TensorAccessor, outFn: string): string[] {
    const V = this.config.cols;
    const L = out.lanes;
    const total = this.u32('gm_total', this.shape.batches * this.shape.rows * this.shape.cols);
    const lines = [`let lpc_fs = ${this.b.globalIndex()} * ${V}u;`, `if (lpc_fs >= ${total}) { return; }`];
    for (let e = 0; e < V; e++) {
      // Outputs past the end repeat the last one; their results are not stored.
      lines.push(
        `let lpc_f${e} = min(lpc_fs + ${e}u, ${total} - 1u);`,
        `let lpc_c${e} = lpc_f${e} % ${this.cols};`,
        `let lpc_t${e} = lpc_f${e} / ${this.cols};`,
        `let lpc_r${e} = lpc_t${e} % ${this.rows};`,
        `let lpc_z${e} = lpc_t${e} / ${this.rows};`,
        ...p.a.prepare(e, wgsl('u32', `lpc_r${e}`), wgsl('u32', `lpc_z${e}`)),
        ...p.b.prepare(e, wgsl('u32', `lpc_c${e}`), wgsl('u32', `lpc_z${e}`)),
        `var lpc_acc${e} = ${this.zero(p)};`,
      );
    }
    const inner: string[] = [];
    for (let e = 0; e < V; e++) inner.push(`let lpc_av${e} = ${p.a.load(e)};`, `let lpc_bv${e} = ${p.b.load(e)};`, this.mac(p, `lpc_acc${e}`, `lpc_av${e}`, `lpc_bv${e}`));
    lines.push(...this.walk(p, V, V, inner));
    for (let w = 0; w < V / L; w++) {
      const lanes = Array.from({ length: L }, (_, l) => `lpc_q${w * L + l}`);
      lines.push(`if (lpc_fs + ${w * L}u < ${total}) {`);
      for (let l = 0; l < L; l++) {
        const e = w * L + l;
        lines.push(`  let lpc_q${e} = ${outFn}(lpc_acc${e}, lpc_r${e}, lpc_c${e}, lpc_z${e});`);
      }
      lines.push(`  ${storeLanes(out, wgsl('u32', `lpc_fs / ${L}u + ${w}u`), lanes)}`, '}');
    }
    return lines;
  }
}
