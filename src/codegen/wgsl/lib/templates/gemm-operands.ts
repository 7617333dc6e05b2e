import { F32, type FixedType, type NumberType } from '../../../../numeric/number-type.js';
import { wgsl, type Expr, type U32Like } from '../expr.js';
import type { KernelRequest, KernelRng } from '../kernel.js';
import { quantizeCode } from '../quantizer.js';
import { biasJoins, exactLayerValue, type RequantBias } from '../requantize.js';
import { rngKeyUniforms, rngUniform } from '../rng.js';
import type { ShaderBuilder } from '../shader-builder.js';
import type { TensorAccessor } from '../tensor-accessor.js';
import type { OpElement } from './element-result.js';
import { paramValue } from './kernel-io.js';

/**
 * The pluggable pieces of the implicit-GEMM template (gemm-kernel.ts): how an op walks its fan-in,
 * how each operand is loaded at a point of that walk, and how a finished accumulator becomes the
 * layer's own result (bias, exact-path requantization) before the epilogue.
 *
 * The product of the GEMM is out[z][row][col] = sum over k of A(z, row, k) * B(z, col, k). An op
 * describes the fan-in as nested loops (conv: input channel, kernel row, kernel column; dense: one
 * loop over features); the template runs them in order, so every output's sum proceeds over
 * k = 0, 1, ..., K-1 (docs/numerics.md), with `lpc_kf` counting k. An operand declares per-entry
 * state (an entry is one row, or one column, of the invocation's tile) before the loops, adds
 * statements at the top of each loop level, and loads its element at the innermost point.
 */

/** How products are accumulated: f32 values, i32 codes, or u32 words of four 8-bit codes (dot4I8). */
export type GemmMac = 'f32' | 'i32' | 'dot4';

/** One loop of the fan-in walk: its variable (a WGSL name) and trip count. */
export interface KLevel {
  v: string;
  count: Expr<'u32'>;
}

/** The running fan-in index k inside the walk (the template increments it after each product). */
export const FLAT_K = wgsl('u32', 'lpc_kf');

export type OperandValue = Expr<'f32'> | Expr<'i32'> | Expr<'u32'>;

export interface GemmOperand {
  /** Statements before the walk for entry `e`: its row or column `idx` (in range) of batch `z`. */
  prepare(e: number, idx: Expr<'u32'>, z: Expr<'u32'>): string[];
  /** Statements at the top of walk level `level` (its variable is set) for entry `e`. */
  enter(level: number, e: number): string[];
  /** Statements at the top of walk level `level` for the operand as a whole, before its entries'. */
  enterShared?(level: number): string[];
  /** Statements after the products of one step of the walk (a sliding window shifts here). */
  afterStep?(): string[];
  /** The operand of entry `e` at the walk's innermost point: a value, a code, or a dot4 word. */
  load(e: number): OperandValue;
  /**
   * Random access for workgroup tiles: statements (their names suffixed by `tag`) and the operand
   * at (idx, z, k), 0 <= k < K, idx in range. Not used with dot4 words.
   */
  at(idx: Expr<'u32'>, z: Expr<'u32'>, k: Expr<'u32'>, tag: string): { lines: string[]; value: OperandValue };
}

/**
 * A parameter (weights or bias) as the kernel reads it: stored already rounded (inference: packed
 * codes or f32), or as the f32 master with the request's quantizer applied while loading
 * (training: stochastic types draw from the parameter's stream with the flat index as counter,
 * as the CPU executor's ParamQuantizer stage does). `type` is the type of the values the layer
 * computes with.
 */
export class ParamReader {
  readonly type: NumberType;
  private readonly quantizer: FixedType | undefined;

  constructor(
    private readonly b: ShaderBuilder,
    private readonly req: KernelRequest,
    private readonly p: number,
    readonly acc: TensorAccessor,
    private readonly rng: KernelRng[],
  ) {
    this.quantizer = req.paramQuantizers[p];
    this.type = this.quantizer ?? acc.type;
  }

  /** Whether the stored words are the codes the layer uses (no quantizer on load). */
  get storedAsUsed(): boolean {
    return this.quantizer === undefined;
  }

  value(i: U32Like): Expr<'f32'> {
    return paramValue(this.b, this.req, this.p, this.acc, i, this.rng);
  }

  /** The code of element i in `type` (a fixed type). */
  code(i: U32Like): Expr<'i32'> {
    const q = this.quantizer;
    if (!q) return this.acc.loadCode(i);
    const stream = this.req.paramQuantizerStreams[this.p];
    if (this.req.training && q.round === 'stochastic' && stream !== undefined) {
      // The same keys (prefix) as paramValue in kernel-io.ts, so a kernel reading both shares them.
      const prefix = `param${this.p}_q`;
      const keys = rngKeyUniforms(this.b, prefix);
      if (!this.rng.some((r) => r.prefix === prefix)) this.rng.push({ prefix, stream });
      return quantizeCode(this.b, q, this.acc.loadValue(i), rngUniform(this.b, keys, i));
    }
    return quantizeCode(this.b, q, this.acc.loadValue(i));
  }
}

/** Fraction bits of the exact accumulator: S = Fx + Fw (SEMANTICS.md section 4). */
export function accumulatorFracBits(input: NumberType, weights: NumberType): number {
  if (input.kind !== 'fixed' || weights.kind !== 'fixed') {
    throw new Error(`the exact accumulation path needs fixed-point inputs and weights, got ${input.kind} and ${weights.kind}`);
  }
  return input.fracBits + weights.fracBits;
}

/**
 * The layer's own result for one output from its accumulator, as the CPU reference computes it
 * (src/ops/conv.ts, dense.ts):
 *  - f32 path: fround(acc + bias), the bias added last in one f32 addition;
 *  - exact path: the i32 sum of code products (scale 2^-S) with a fixed bias of at most S fraction
 *    bits joining the integer sum, rounded once to f32; any other bias added in f32 after that
 *    (src/ops/exact-bias.ts, requantize.ts).
 * `biasAt` is the flat index of the output's bias element.
 */
export function layerElement(
  b: ShaderBuilder,
  acc: Expr<'f32'> | Expr<'i32'>,
  exactFracBits: number | undefined,
  bias: ParamReader | undefined,
  biasAt: Expr<'u32'>,
): OpElement {
  if (exactFracBits === undefined) {
    const v = acc as Expr<'f32'>;
    return { value: bias ? wgsl('f32', `(${v} + ${bias.value(biasAt)})`) : v, type: F32 };
  }
  let spec: RequantBias = { kind: 'none' };
  if (bias) {
    const t = bias.type;
    spec = biasJoins(t, exactFracBits) === 'code' && t.kind === 'fixed' ? { kind: 'code', fracBits: t.fracBits, code: bias.code(biasAt) } : { kind: 'f32', value: bias.value(biasAt) };
  }
  return { value: exactLayerValue(b, acc as Expr<'i32'>, exactFracBits, spec), type: F32 };
}
