import { codeRange, F32, type FixedType, type I32Type, type NumberType } from '../../../../numeric/number-type.js';
import { Expr, wgsl } from '../expr.js';
import type { KernelRequest, KernelRng } from '../kernel.js';
import { codeValue, quantizeCode } from '../quantizer.js';
import { rngKeyUniforms, rngUniform } from '../rng.js';
import type { ShaderBuilder } from '../shader-builder.js';

/**
 * From an op's own result for one output element to what the kernel stores: the request's
 * epilogue stages in order, then the conversion to the output's storage (the f32 value, or the
 * code of a fixed / i32 output). Every op kernel goes through here, so every op hosts fused
 * epilogues the same way and rounds to its output type by the CPU executor's rules
 * (src/runtime/cpu/node-stages.ts):
 *
 * - a value already on the output type's grid (a code of the type, e.g. max_pool of a fixed input,
 *   or the result of a quantize stage to that type) is stored as its code, exactly;
 * - a value that may lie off the grid (dropout's training scale, an f32 result under a fixed output
 *   type) is rounded with the output type's quantizer, stochastic types drawing from the node's
 *   output-enforcement stream while training, as the CPU executor's enforcement stage does.
 *
 * The op's result may come as a code (copies, max_pool, quantize of a fixed type), which reaches a
 * fixed output of the same grid without passing through f32: exact at every width, also past the
 * 24 bits an f32 holds.
 */

/** The op's own result for one element: an f32 value, or the integer code of a fixed / i32 type. */
export type OpElement =
  | {
      lines?: readonly string[];
      value: Expr<'f32'>;
      /** The grid the value lies on, when it is a code of a fixed type; default f32 (anywhere). */
      type?: NumberType;
    }
  | { lines?: readonly string[]; code: Expr<'i32'>; type: FixedType | I32Type };

export interface ElementOutcome {
  /** Statements (lets named lpc_e<k>, valid inside one block) computing the result. */
  lines: string[];
  /** The f32 value of an f32 output, or the code of a fixed / i32 output. */
  result: Expr<'f32'> | Expr<'i32'>;
}

/**
 * The output-enforcement stream of a node (src/ir/streams.ts outputEnforcementStream: the node's
 * index with 255 in the top byte). The emission library is a leaf and cannot import src/ir, so
 * the rule is repeated here; test/codegen/wgsl/ops pins the two together.
 */
export function enforcementStream(nodeStream: number): number {
  return (nodeStream | (255 << 24)) >>> 0;
}

/** Uniform prefix of the enforcement quantizer's keys. */
export const ENFORCEMENT_RNG_PREFIX = 'out_enf';

/** Whether every code of `from` is a code of `to` (same scale, range within), so no rounding is needed. */
export function sameGrid(from: NumberType, to: NumberType): boolean {
  if (from.kind === 'i32' && to.kind === 'i32') return true;
  if (from.kind !== 'fixed' || to.kind !== 'fixed') return false;
  if (from.intBits !== to.intBits || from.fracBits !== to.fracBits) return false;
  const a = codeRange(from);
  const b = codeRange(to);
  return a.kmin >= b.kmin && a.kmax <= b.kmax;
}

/** The f32 value of an op element (codes of fixed types scaled by 2^-F; exact up to 24 bits). */
export function elementValue(own: OpElement): Expr<'f32'> {
  if ('value' in own) return own.value;
  return own.type.kind === 'fixed' ? codeValue(own.type, own.code) : wgsl('f32', `f32(${own.code})`);
}

/**
 * Builds the epilogue and the final conversion for one element. `flat` is the element's flat
 * (row-major) index in the output, which stochastic stages use as the draw counter. `rng`
 * collects the keys the emitted code draws from (each prefix once).
 */
export function finishElement(b: ShaderBuilder, req: KernelRequest, own: OpElement, flat: Expr<'u32'>, rng: KernelRng[]): ElementOutcome {
  const lines = [...(own.lines ?? [])];
  const out = req.output.type;
  const stages = req.epilogue;
  let n = 0;
  const bind = <T extends 'f32' | 'i32'>(type: T, e: Expr<T>): Expr<T> => {
    const name = `lpc_e${n++}`;
    lines.push(`let ${name} = ${e};`);
    return wgsl(type, name);
  };
  const collect = (r: KernelRng | undefined) => {
    if (r && !rng.some((k) => k.prefix === r.prefix)) rng.push(r);
  };

  if (stages.length === 0 && 'code' in own && out.kind !== 'f32' && sameGrid(own.type, out)) {
    return { lines, result: bind('i32', own.code) };
  }
  let value = bind('f32', elementValue(own));
  let grid: NumberType = 'value' in own ? (own.type ?? F32) : own.type;
  for (const [k, stage] of stages.entries()) {
    collect(stage.rng);
    const last = k === stages.length - 1;
    if (last && stage.emitCode && stage.outType && out.kind !== 'f32' && sameGrid(stage.outType, out)) {
      return { lines, result: bind('i32', stage.emitCode(b, value, flat)) };
    }
    value = bind('f32', stage.emit(b, value, flat));
    grid = stage.outType ?? F32;
  }
  if (out.kind === 'f32') return { lines, result: value };
  if (out.kind === 'i32') return { lines, result: bind('i32', wgsl('i32', `i32(${value})`)) };
  if (sameGrid(grid, out)) return { lines, result: bind('i32', quantizeCode(b, out, value)) };
  // Off the grid: round like the CPU executor's output enforcement (stochastic draws in training).
  if (req.training && out.round === 'stochastic') {
    const keys = rngKeyUniforms(b, ENFORCEMENT_RNG_PREFIX);
    collect({ prefix: ENFORCEMENT_RNG_PREFIX, stream: enforcementStream(req.stream) });
    return { lines, result: bind('i32', quantizeCode(b, out, value, rngUniform(b, keys, flat))) };
  }
  return { lines, result: bind('i32', quantizeCode(b, out, value)) };
}

/** The WGSL type of a finished element for an output type. */
export function resultType(out: NumberType): 'f32' | 'i32' {
  return out.kind === 'f32' ? 'f32' : 'i32';
}
