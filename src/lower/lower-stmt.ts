import type { Span } from '../diag/span.js';
import type { NamedValue } from '../ir/graph.js';
import type { Expr, InputStmt, LetStmt, MarkerStmt, RepeatStmt, ReturnStmt, Stmt, TypeExpr } from '../parser/ast.js';
import { describeConst, formatNumber, intValue, numberOf, wholeNumberOf } from './const-value.js';
import { divisionHint, evaluate, resolveType } from './evaluate.js';
import { bindingBase, type BodyResult, type DeclaredOut, type Expansion } from './expansion.js';
import { lowerCall } from './lower-call.js';
import type { Binding } from './scope.js';
import { checkRealType } from './types.js';

/** A repeat may unroll at most this many times (a guard against runaway counts). */
export const MAX_REPEAT = 100_000;

/** Lowers the statements of a net, block or repeat body in order. */
export function lowerBody(stmts: readonly Stmt[], x: Expansion): BodyResult {
  const result: BodyResult = { sawReturn: false };
  stmts.forEach((stmt, i) => {
    switch (stmt.kind) {
      case 'InputStmt':
        if (requireNetTop(stmt, '`input`', x)) lowerInput(stmt, x);
        break;
      case 'LetStmt':
        lowerLet(stmt, x);
        break;
      case 'MarkerStmt':
        if (requireNetTop(stmt, `\`${stmt.marker}\``, x)) lowerMarker(stmt, x);
        break;
      case 'RepeatStmt':
        lowerRepeat(stmt, x);
        break;
      case 'ReturnStmt':
        lowerReturn(stmt, x, i === stmts.length - 1, result);
        break;
    }
  });
  return result;
}

function requireNetTop(stmt: Stmt, what: string, x: Expansion): boolean {
  if (x.netTop) return true;
  const where = x.returnTo ? 'a block' : 'a `repeat`';
  x.env.report.error('LPC1221', `${what} is not allowed in ${where}`, stmt.span, {
    hint: `${what} belongs at the top level of a net body`,
  });
  return false;
}

/**
 * Parameters, repeat indices and type aliases cannot be rebound by a statement (a net's `batch`
 * silently turning into a tensor would make later uses mean something else). Tensor bindings can.
 */
function checkRebind(name: string, span: Span, x: Expansion): boolean {
  const b = x.env.frame.get(name);
  if (b?.kind === 'const' && b.origin !== 'let') {
    const what = b.origin === 'param' ? 'a parameter' : 'a repeat index';
    x.env.report.error('LPC1218', `\`${name}\` is ${what} and cannot be rebound`, span, {
      notes: [{ message: `\`${name}\` is defined here`, span: b.span }],
      hint: 'use another name',
    });
    return false;
  }
  const def = x.env.index.lookup(name, x.env.file);
  if (def?.kind === 'type') {
    x.env.report.error('LPC1218', `binding \`${name}\` would shadow the type alias \`${name}\``, span, {
      notes: [{ message: `type alias \`${name}\` is defined here`, span: def.decl.name.span }],
      hint: 'use another name',
    });
    return false;
  }
  return true;
}

/** The `-> T` of a statement, resolved; undefined when absent or after an error. */
function declaredOut(t: TypeExpr | undefined, x: Expansion): DeclaredOut | undefined {
  if (!t) return undefined;
  const type = resolveType(t, x.env);
  if (!type || !checkRealType(type, 'an output type', x.env, t.span)) return undefined;
  return { type, span: t.span };
}

function unparen(e: Expr): Expr {
  return e.kind === 'ParenExpr' ? unparen(e.expr) : e;
}

/**
 * Lowers the right-hand side of a binding: a call becomes nodes (its result gets the id from
 * `reserveId`), a tensor name aliases that value, anything else is a constant.
 */
function lowerValue(expr: Expr, x: Expansion, reserveId: () => string, out: DeclaredOut | undefined): Binding {
  const e = unparen(expr);
  if (e.kind === 'CallExpr') {
    const vid = lowerCall(e, x, reserveId(), out);
    return vid === undefined ? { kind: 'broken', span: expr.span } : { kind: 'tensor', valueId: vid, span: expr.span };
  }
  const local = e.kind === 'NameRef' ? x.env.frame.get(e.name.name) : undefined;
  if (out) {
    x.env.report.error('LPC1309', '`-> T` needs an op or block call to apply to', out.span, {
      hint: 'write the type on the call that computes the value, or convert with `quantize(x, to: T)`',
    });
  }
  if (local?.kind === 'tensor') return { kind: 'tensor', valueId: local.valueId, span: expr.span };
  if (local?.kind === 'broken') return local;
  const v = evaluate(expr, x.env);
  return v ? { kind: 'const', value: v, span: expr.span, origin: 'let' } : { kind: 'broken', span: expr.span };
}

function lowerLet(stmt: LetStmt, x: Expansion): void {
  const name = stmt.name.name;
  if (!checkRebind(name, stmt.name.span, x)) return;
  const out = declaredOut(stmt.outType, x);
  const b = lowerValue(stmt.value, x, () => x.builder.freshId(bindingBase(x, name)), out);
  x.env.frame.set(name, b);
}

function lowerInput(stmt: InputStmt, x: Expansion): void {
  const name = stmt.name.name;
  const { report, frame } = x.env;
  const existing = frame.get(name);
  if (existing?.kind === 'tensor' || existing?.kind === 'broken') {
    report.error('LPC1217', `\`${name}\` is already defined`, stmt.name.span, {
      notes: [{ message: `first definition of \`${name}\``, span: existing.span }],
    });
    return;
  }
  if (!checkRebind(name, stmt.name.span, x)) return;
  const dtype = resolveType(stmt.dtype, x.env);
  let ok = dtype !== undefined;
  const shape: number[] = [];
  stmt.shape.forEach((dimExpr, i) => {
    const v = evaluate(dimExpr, x.env);
    if (!v) {
      ok = false;
      return;
    }
    const n = wholeNumberOf(v);
    if (n === undefined || n < 1) {
      const got = numberOf(v) !== undefined ? formatNumber(numberOf(v) as number) : describeConst(v);
      report.error('LPC1401', `dimension ${i} of input \`${name}\` must be a positive integer, got ${got}`, dimExpr.span, {
        hint: divisionHint(dimExpr),
      });
      ok = false;
      return;
    }
    shape.push(n);
  });
  const id = x.builder.freshId(bindingBase(x, name));
  x.builder.addInput(id, ok && dtype ? { dtype, shape } : undefined, stmt.span);
  frame.set(name, { kind: 'tensor', valueId: id, span: stmt.name.span });
}

function lowerMarker(stmt: MarkerStmt, x: Expansion): void {
  const name = stmt.name.name;
  const { report, frame } = x.env;
  const graph = x.builder.graph;
  const list: NamedValue[] = stmt.marker === 'output' ? graph.outputs : graph.losses;
  const first = list.find((o) => o.name === name);
  if (first) {
    report.error('LPC1217', `\`${name}\` is already marked as ${stmt.marker === 'output' ? 'an output' : 'a loss'}`, stmt.name.span, {
      notes: [{ message: 'first marked here', span: first.span }],
    });
    return;
  }
  let b: Binding | undefined;
  if (stmt.value) {
    if (!checkRebind(name, stmt.name.span, x)) return;
    b = lowerValue(stmt.value, x, () => x.builder.freshId(bindingBase(x, name)), declaredOut(stmt.outType, x));
    frame.set(name, b);
  } else {
    b = frame.get(name);
    if (!b) {
      report.error('LPC1200', `unknown name \`${name}\``, stmt.name.span, {
        hint: `\`${stmt.marker} ${name}\` marks an existing value; to compute one write \`${stmt.marker} ${name} = ...\``,
      });
      return;
    }
  }
  if (b.kind === 'broken') return;
  if (b.kind === 'const') {
    report.error('LPC1211', `${stmt.marker === 'output' ? 'an output' : 'a loss'} must be a tensor, but \`${name}\` is ${describeConst(b.value)}`, stmt.span);
    return;
  }
  list.push({ name, value: b.valueId, span: stmt.span });
  const t = x.builder.typeOf(b.valueId);
  if (stmt.marker === 'loss' && t && t.shape.length !== 0) {
    report.error('LPC1402', `a loss must be a scalar, but \`${name}\` has shape [${t.shape.join(', ')}]`, stmt.span, {
      hint: 'mark the result of a loss op such as softmax_cross_entropy with `loss`, and other values with `output`',
    });
  }
}

function lowerRepeat(stmt: RepeatStmt, x: Expansion): void {
  const { report, frame } = x.env;
  const v = evaluate(stmt.count, x.env);
  if (!v) return;
  const n = wholeNumberOf(v);
  if (n === undefined || n < 0 || n > MAX_REPEAT) {
    const got = numberOf(v) !== undefined ? formatNumber(numberOf(v) as number) : describeConst(v);
    report.error('LPC1222', `a repeat count must be an int from 0 to ${MAX_REPEAT}, got ${got}`, stmt.count.span);
    return;
  }
  const index = stmt.index;
  if (index) {
    const existing = frame.get(index.name);
    if (existing && existing.kind !== 'const') {
      report.error('LPC1218', `repeat index \`${index.name}\` would shadow the value \`${index.name}\``, index.span, {
        notes: [{ message: `\`${index.name}\` is defined here`, span: existing.span }],
      });
      return;
    }
    if (existing?.kind === 'const' && existing.origin === 'let') {
      report.error('LPC1218', `repeat index \`${index.name}\` would shadow the constant \`${index.name}\``, index.span);
      return;
    }
    if (!checkRebind(index.name, index.span, x)) return;
  }
  for (let i = 0; i < n; i++) {
    if (index) frame.set(index.name, { kind: 'const', value: intValue(i), span: index.span, origin: 'index' });
    lowerBody(stmt.body, { ...x, iter: `${x.iter}@${i}`, netTop: false, returnTo: undefined });
  }
  if (index) frame.delete(index.name);
}

function lowerReturn(stmt: ReturnStmt, x: Expansion, isLast: boolean, result: BodyResult): void {
  const { report } = x.env;
  if (!x.returnTo) {
    report.error('LPC1221', '`return` is only allowed as the last statement of a block', stmt.span, {
      hint: 'a net marks its results with `output name = ...` and `loss name = ...`',
    });
    return;
  }
  if (!isLast || result.sawReturn) {
    report.error('LPC1220', '`return` must be the last statement of a block', stmt.span, {
      hint: 'move it to the end of the block; statements after it would never be used',
    });
  }
  const target = x.returnTo;
  // The caller's `-> T` wins over the block's own, so each use of a block can pick its type.
  const own = declaredOut(stmt.outType, x);
  const out = target.out ?? own;
  const b = lowerValue(stmt.value, x, () => target.id, out);
  result.sawReturn = true;
  if (b.kind === 'tensor') result.returned = b.valueId;
  else if (b.kind === 'const') {
    report.error('LPC1211', `a block must return a tensor, but this is ${describeConst(b.value)}`, stmt.value.span);
  }
}
