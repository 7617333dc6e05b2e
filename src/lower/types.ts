import { didYouMean } from '../diag/suggest.js';
import {
  F32,
  fixed,
  fixedTypeProblem,
  formatNumberType,
  I32,
  OVERFLOW_MODES,
  ROUND_MODES,
  type NumberType,
  type OverflowMode,
  type RoundMode,
} from '../numeric/number-type.js';
import type { Expr, FixedType, Identifier, TypeExpr } from '../parser/ast.js';
import { describeConst } from './const-value.js';
import { importHint } from './program-index.js';
import { wordOf, type Env } from './scope.js';

/** Evaluates an int-valued expression (reporting its own errors); undefined after an error. */
export type IntEvaluator = (expr: Expr, what: string) => number | undefined;

const FIXED_OPTIONS = ['round', 'overflow'] as const;

/**
 * Resolves a written type (`f32`, `i32`, an alias, a `type` parameter, `fixed<I, F, ...>`) to a
 * NumberType, reporting LPC13xx errors; undefined after an error. `intOf` evaluates the bit
 * counts, which may use parameters (`fixed<bits, 8 - bits>`).
 */
export function resolveTypeExpr(t: TypeExpr, env: Env, intOf: IntEvaluator): NumberType | undefined {
  return t.kind === 'NamedType' ? resolveTypeName(t.name, env) : resolveFixedType(t, env, intOf);
}

export function resolveTypeName(id: Identifier, env: Env): NumberType | undefined {
  const name = id.name;
  const local = env.frame.get(name);
  if (local) {
    if (local.kind === 'broken') return undefined;
    if (local.kind === 'const' && local.value.kind === 'type') return local.value.type;
    const what = local.kind === 'tensor' ? 'a tensor' : describeConst(local.value);
    env.report.error('LPC1306', `\`${name}\` is ${what}, not a number type`, id.span, {
      hint: 'give `f32`, `i32`, `fixed<I, F>`, a type alias or a `type` parameter',
    });
    return undefined;
  }
  const def = env.index.lookup(name, env.file);
  if (def?.kind === 'type') return env.index.aliasType(def);
  if (name === 'f32') return F32;
  if (name === 'i32') return I32;
  if (def) {
    env.report.error('LPC1306', `\`${name}\` is a ${def.kind}, not a number type`, id.span);
    return undefined;
  }
  const candidates = [
    ...env.index.visibleNames(env.file, 'type'),
    'f32',
    'i32',
    ...env.frame.names().filter((n) => {
      const b = env.frame.get(n);
      return b?.kind === 'const' && b.value.kind === 'type';
    }),
  ];
  env.report.error('LPC1300', `unknown type \`${name}\``, id.span, {
    hint: importHint(env.index.lookupAnywhere(name), env.file) ?? didYouMean(name, candidates) ?? 'number types are `f32`, `i32` and `fixed<I, F>`; define an alias with `type NAME = fixed<I, F>`',
  });
  return undefined;
}

export function resolveFixedType(t: FixedType, env: Env, intOf: IntEvaluator): NumberType | undefined {
  const intBits = intOf(t.intBits, 'the integer bits of `fixed<I, F>`');
  const fracBits = intOf(t.fracBits, 'the fraction bits of `fixed<I, F>`');
  let round: RoundMode = 'nearest';
  let overflow: OverflowMode = 'saturate_symmetric';
  let ok = intBits !== undefined && fracBits !== undefined;
  const given = new Set<string>();
  for (const opt of t.options) {
    const name = opt.name.name;
    if (!(FIXED_OPTIONS as readonly string[]).includes(name)) {
      env.report.error('LPC1302', `unknown option \`${name}\` in \`fixed<...>\``, opt.name.span, {
        hint: didYouMean(name, FIXED_OPTIONS) ?? 'the options are `round:` and `overflow:`',
      });
      ok = false;
      continue;
    }
    if (given.has(name)) {
      env.report.error('LPC1304', `option \`${name}\` is given twice in \`fixed<...>\``, opt.name.span);
      ok = false;
      continue;
    }
    given.add(name);
    const modes: readonly string[] = name === 'round' ? ROUND_MODES : OVERFLOW_MODES;
    const word = wordOf(opt.value);
    if (word === undefined || !modes.includes(word)) {
      const shown = word === undefined ? 'this value' : `\`${word}\``;
      env.report.error('LPC1303', `${shown} is not a ${name === 'round' ? 'rounding' : 'overflow'} mode`, opt.value.span, {
        hint: (word !== undefined ? didYouMean(word, modes) : undefined) ?? `the ${name} modes are ${modes.join(', ')}`,
      });
      ok = false;
      continue;
    }
    if (name === 'round') round = word as RoundMode;
    else overflow = word as OverflowMode;
  }
  if (!ok || intBits === undefined || fracBits === undefined) return undefined;
  const problem = fixedTypeProblem(intBits, fracBits);
  if (problem) {
    env.report.error('LPC1301', `fixed<${intBits}, ${fracBits}> is not a legal type: ${problem}`, t.span, {
      hint: 'I counts the sign bit (I >= 1), F >= 0, and the width I + F is 2 to 32 bits',
    });
    return undefined;
  }
  return fixed(intBits, fracBits, round, overflow);
}

/** LPC1307: i32 is for integer data (labels); weights, biases and activations are real-valued. */
export function checkRealType(t: NumberType, what: string, env: Env, span: TypeExpr['span'] | undefined): boolean {
  if (t.kind !== 'i32') return true;
  env.report.error('LPC1307', `${what} cannot be ${formatNumberType(t)}`, span, {
    hint: 'i32 holds integer data such as class labels; use f32 or fixed<I, F>',
  });
  return false;
}
