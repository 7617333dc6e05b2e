import type { Span } from '../diag/span.js';
import type { ParamDecl, ParamKind } from '../parser/ast.js';
import { describeConst, floatValue, intValue, numberOf, wholeNumberOf, type ConstValue } from './const-value.js';
import type { Reporter } from './reporter.js';

const KIND_PHRASE: Record<ParamKind, string> = {
  int: 'an int',
  float: 'a float',
  bool: 'a bool',
  type: 'a number type',
  tensor: 'a tensor',
};

/**
 * A constant converted to a parameter's kind: ints accept whole numbers (so `batch / 2` passes
 * when even), floats accept any number, bools and types only themselves. Undefined if it does not fit.
 */
export function coerceToKind(kind: ParamKind, v: ConstValue): ConstValue | undefined {
  switch (kind) {
    case 'int': {
      const n = wholeNumberOf(v);
      return n === undefined ? undefined : intValue(n);
    }
    case 'float': {
      const n = numberOf(v);
      return n === undefined ? undefined : floatValue(n);
    }
    case 'bool':
      return v.kind === 'bool' ? v : undefined;
    case 'type':
      return v.kind === 'type' ? v : undefined;
    case 'tensor':
      return undefined;
  }
}

/** Checks a value given to a net or block parameter (argument, default or override); LPC1225/LPC1211. */
export function checkParamValue(p: ParamDecl, v: ConstValue, span: Span | undefined, report: Reporter): ConstValue | undefined {
  const name = p.name.name;
  if (p.paramKind === 'tensor') {
    report.error('LPC1211', `parameter \`${name}\` is a tensor, but this is ${describeConst(v)}`, span, {
      hint: 'pass a value such as `x` or `conv(x, ...)`',
    });
    return undefined;
  }
  const c = coerceToKind(p.paramKind, v);
  if (c) return c;
  report.error('LPC1225', `parameter \`${name}\` is ${KIND_PHRASE[p.paramKind]}, got ${describeConst(v)}`, span, {
    hint: p.paramKind === 'int' && v.kind === 'float' ? 'an int parameter takes a whole number (and `/` always gives a float)' : undefined,
  });
  return undefined;
}
