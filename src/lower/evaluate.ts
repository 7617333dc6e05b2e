import { didYouMean } from '../diag/suggest.js';
import { F32, I32, type NumberType } from '../numeric/number-type.js';
import type { BinaryExpr, Expr, NameRef, TypeExpr } from '../parser/ast.js';
import {
  describeConst,
  floatValue,
  formatNumber,
  intValue,
  numberOf,
  typeValue,
  wholeNumberOf,
  type ConstValue,
} from './const-value.js';
import { importHint } from './program-index.js';
import { valueCandidates, type Env } from './scope.js';
import { resolveFixedType, resolveTypeExpr } from './types.js';

/**
 * Constant evaluation of expressions over parameters, repeat indices and local constants.
 *
 * Rules: int op int stays int for `+ - * %` (`%` takes the sign of the dividend, as in C and JS);
 * `/` always gives a float; a float mixed in makes a float. Ints must stay exact (|n| <= 2^53)
 * and floats finite. Places that need an int accept a float only when it is a whole number, so
 * `batch / 2` works as a dimension when batch is even. Returns undefined after reporting an error.
 */
export function evaluate(expr: Expr, env: Env): ConstValue | undefined {
  switch (expr.kind) {
    case 'NumberLiteral':
      return checkNumber(expr.isInteger ? intValue(expr.value) : floatValue(expr.value), expr, env);
    case 'StringLiteral':
      return { kind: 'string', value: expr.value };
    case 'BoolLiteral':
      return { kind: 'bool', value: expr.value };
    case 'ParenExpr':
      return evaluate(expr.expr, env);
    case 'TypeValue': {
      const t = resolveFixedType(expr.type, env, intEvaluator(env));
      return t && typeValue(t);
    }
    case 'ListExpr': {
      const items: ConstValue[] = [];
      let ok = true;
      for (const item of expr.items) {
        const v = evaluate(item, env);
        if (v) items.push(v);
        else ok = false;
      }
      return ok ? { kind: 'list', items } : undefined;
    }
    case 'NameRef':
      return evaluateName(expr, env);
    case 'UnaryExpr': {
      const v = evaluate(expr.operand, env);
      if (!v) return undefined;
      if (v.kind === 'int' || v.kind === 'float') return { kind: v.kind, value: -v.value };
      env.report.error('LPC1212', `cannot negate ${describeConst(v)}`, expr.span, { hint: 'only ints and floats can be negated' });
      return undefined;
    }
    case 'BinaryExpr':
      return evaluateBinary(expr, env);
    case 'CallExpr':
      env.report.error('LPC1211', `\`${expr.callee.name}(...)\` computes a tensor, but a constant is needed here`, expr.span, {
        hint: 'attributes, parameters and dimensions take constants: numbers, words, lists, types and parameters',
      });
      return undefined;
  }
}

/** An int where the language needs one (dimensions, bit counts, int attributes); LPC1205/LPC1214. */
export function evaluateInt(expr: Expr, env: Env, what: string): number | undefined {
  const v = evaluate(expr, env);
  if (!v) return undefined;
  return requireWhole(v, expr, env, what);
}

/** The int of a value, or an error naming `what` and the value. */
export function requireWhole(v: ConstValue, expr: Expr, env: Env, what: string): number | undefined {
  const n = numberOf(v);
  if (n === undefined) {
    env.report.error('LPC1205', `${what} must be an int, got ${describeConst(v)}`, expr.span);
    return undefined;
  }
  const whole = wholeNumberOf(v);
  if (whole === undefined) {
    env.report.error('LPC1214', `${what} must be a whole number, got ${formatNumber(n)}`, expr.span, {
      hint: divisionHint(expr),
    });
    return undefined;
  }
  return whole;
}

export function intEvaluator(env: Env): (expr: Expr, what: string) => number | undefined {
  return (expr, what) => evaluateInt(expr, env, what);
}

/** A written type resolved in `env` (bit counts may use parameters). */
export function resolveType(t: TypeExpr, env: Env): NumberType | undefined {
  return resolveTypeExpr(t, env, intEvaluator(env));
}

function evaluateName(ref: NameRef, env: Env): ConstValue | undefined {
  const name = ref.name.name;
  const local = env.frame.get(name);
  if (local) {
    if (local.kind === 'const') return local.value;
    if (local.kind === 'broken') return undefined;
    env.report.error('LPC1211', `\`${name}\` is a tensor, but a constant is needed here`, ref.span, {
      hint: 'attributes, parameters and dimensions take constants; tensors are inputs of ops',
    });
    return undefined;
  }
  const def = env.index.lookup(name, env.file);
  if (def?.kind === 'type') {
    const t = env.index.aliasType(def);
    return t && typeValue(t);
  }
  if (name === 'f32') return typeValue(F32);
  if (name === 'i32') return typeValue(I32);
  if (def || env.index.ops.get(name)) {
    const what = def ? def.kind : 'op';
    env.report.error('LPC1200', `\`${name}\` is ${what === 'op' ? 'an' : 'a'} ${what}, not a value`, ref.span, {
      hint: what === 'net' ? undefined : `call it: \`${name}(...)\``,
    });
    return undefined;
  }
  reportUnknownName(ref, env);
  return undefined;
}

export function reportUnknownName(ref: NameRef, env: Env): void {
  const name = ref.name.name;
  env.report.error('LPC1200', `unknown name \`${name}\``, ref.span, {
    hint: importHint(env.index.lookupAnywhere(name), env.file) ?? didYouMean(name, valueCandidates(env)),
  });
}

function isTensorExpr(e: Expr, env: Env): boolean {
  if (e.kind === 'ParenExpr') return isTensorExpr(e.expr, env);
  if (e.kind === 'CallExpr') return true;
  return e.kind === 'NameRef' && env.frame.get(e.name.name)?.kind === 'tensor';
}

function evaluateBinary(e: BinaryExpr, env: Env): ConstValue | undefined {
  if (isTensorExpr(e.left, env) || isTensorExpr(e.right, env)) {
    env.report.error('LPC1212', `\`${e.op}\` works on numbers, not on tensors`, e.span, {
      hint: 'combine tensors with ops: `add(a, b)`, `eltwise(a, b, operation: prod)`',
    });
    return undefined;
  }
  const a = evaluate(e.left, env);
  const b = evaluate(e.right, env);
  if (!a || !b) return undefined;
  const x = numberOf(a);
  const y = numberOf(b);
  if (x === undefined || y === undefined) {
    env.report.error('LPC1212', `cannot apply \`${e.op}\` to ${describeConst(a)} and ${describeConst(b)}`, e.span, {
      hint: 'arithmetic works on ints and floats',
    });
    return undefined;
  }
  if ((e.op === '/' || e.op === '%') && y === 0) {
    env.report.error('LPC1213', `${e.op === '/' ? 'division' : 'remainder'} by zero`, e.right.span);
    return undefined;
  }
  const bothInt = a.kind === 'int' && b.kind === 'int';
  let r: number;
  switch (e.op) {
    case '+':
      r = x + y;
      break;
    case '-':
      r = x - y;
      break;
    case '*':
      r = x * y;
      break;
    case '/':
      return checkNumber(floatValue(x / y), e, env);
    case '%':
      r = x % y;
      break;
  }
  return checkNumber(bothInt ? intValue(r) : floatValue(r), e, env);
}

function checkNumber(v: ConstValue, at: Expr, env: Env): ConstValue | undefined {
  if (v.kind !== 'int' && v.kind !== 'float') return v;
  if (!Number.isFinite(v.value)) {
    env.report.error('LPC1215', `the value is not a finite number (${formatNumber(v.value)})`, at.span);
    return undefined;
  }
  if (v.kind === 'int' && !Number.isSafeInteger(v.value)) {
    env.report.error('LPC1215', `the integer ${formatNumber(v.value)} is too large to be exact`, at.span, {
      hint: 'ints must stay within ±9007199254740991 (2^53 - 1)',
    });
    return undefined;
  }
  return v;
}

/** A hint for a fractional result that came from `/`, else undefined. */
export function divisionHint(expr: Expr): string | undefined {
  const divides = (e: Expr): boolean => {
    switch (e.kind) {
      case 'BinaryExpr':
        return e.op === '/' || divides(e.left) || divides(e.right);
      case 'UnaryExpr':
        return divides(e.operand);
      case 'ParenExpr':
        return divides(e.expr);
      default:
        return false;
    }
  };
  return divides(expr) ? '`/` gives a float; check that the division is exact' : undefined;
}
