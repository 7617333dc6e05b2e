import { didYouMean } from '../diag/suggest.js';
import { spanFrom, type Span } from '../diag/span.js';
import type { Attrs, AttrValue, DeclaredTypes } from '../ir/graph.js';
import type { AttrSpec, OpDef, TypeSlot } from '../ops/op-def.js';
import type { CallExpr, Expr } from '../parser/ast.js';
import { describeConst, formatConst, numberOf, wholeNumberOf, type ConstValue } from './const-value.js';
import { evaluate, requireWhole } from './evaluate.js';
import { wordOf, type Env } from './scope.js';
import { checkRealType, resolveTypeName } from './types.js';

export const TYPE_SLOTS: readonly TypeSlot[] = ['weights', 'bias', 'acc'];

/** A call's arguments matched to an op: tensor expressions per input, checked attributes, declared types. */
export interface OpCallBinding {
  /** The tensor arguments in input order (a variadic input expanded into several entries). */
  inputs: { expr: Expr; input: string }[];
  /** Every attribute the op declares that has a value: given ones checked, the rest defaulted. */
  attrs: Attrs;
  declared: Pick<DeclaredTypes, TypeSlot>;
  /** Where each attribute, type slot or input was written, for pointing diagnostics at it. */
  spans: Map<string, Span>;
  /** False when an attribute or input was wrong: inference is skipped, the result is unknown. */
  ok: boolean;
}

/**
 * Matches a call's arguments to an OpDef: positional arguments bind to the op's inputs in order
 * (the last input takes the rest when it is variadic), named arguments to inputs by name, to
 * attributes, or to the declared-type slots `weights:`, `bias:`, `acc:` the op lists.
 */
export function bindOpArgs(call: CallExpr, op: OpDef, env: Env): OpCallBinding {
  const b: OpCallBinding = { inputs: [], attrs: {}, declared: {}, spans: new Map(), ok: true };
  const fail = (code: string, message: string, span: Span, hint?: string) => {
    env.report.error(code, message, span, { hint });
    b.ok = false;
  };
  const byInput = new Map<string, Expr[]>();
  const given = new Map<string, Span>();
  const last = op.inputs[op.inputs.length - 1];
  let position = 0;
  let misspelled = false;

  for (const arg of call.args) {
    if (arg.kind === 'PositionalArgument') {
      const spec = position < op.inputs.length ? op.inputs[position] : last?.variadic ? last : undefined;
      if (!spec) {
        const names = op.inputs.map((i) => i.name).join(', ');
        fail(
          'LPC1210',
          `\`${op.name}\` takes ${op.inputs.length} input${op.inputs.length === 1 ? '' : 's'}${names ? ` (${names})` : ''}, but this is positional argument ${position + 1}`,
          arg.span,
          Object.keys(op.attrs).length > 0 ? `attributes are named: \`${Object.keys(op.attrs)[0]}: ...\`` : undefined,
        );
      } else {
        byInput.set(spec.name, [...(byInput.get(spec.name) ?? []), arg.value]);
        given.set(spec.name, arg.span);
      }
      position++;
      continue;
    }
    const name = arg.name.name;
    if (given.has(name)) {
      fail('LPC1204', `\`${name}\` is given twice in the call of \`${op.name}\``, arg.name.span);
      continue;
    }
    const attrSpec = op.attrs[name];
    const inputSpec = op.inputs.find((i) => i.name === name);
    if (attrSpec) {
      given.set(name, arg.span);
      b.spans.set(name, arg.value.span);
      const v = convertAttr(op.name, name, attrSpec, arg.value, env);
      if (v === undefined) b.ok = false;
      else b.attrs[name] = v;
    } else if (inputSpec) {
      given.set(name, arg.span);
      byInput.set(name, [arg.value]);
    } else if ((TYPE_SLOTS as readonly string[]).includes(name)) {
      given.set(name, arg.span);
      const slot = name as TypeSlot;
      if (!op.typeSlots?.includes(slot)) {
        const accepted = op.typeSlots && op.typeSlots.length > 0 ? `it accepts ${op.typeSlots.map((s) => `\`${s}:\``).join(', ')}` : 'it has no declared-type slots';
        fail('LPC1209', `\`${op.name}\` has no \`${slot}:\` type; ${accepted}`, arg.name.span, 'use `-> T` after the call to declare its output type');
        continue;
      }
      b.spans.set(slot, arg.value.span);
      const t = typeArgument(arg.value, `\`${slot}:\` of \`${op.name}\``, env);
      // An accumulator may be i32 (the exact integer path); weights and biases are real-valued.
      if (t === undefined || (slot !== 'acc' && !checkRealType(t, `the ${slot} type of \`${op.name}\``, env, arg.value.span))) b.ok = false;
      else b.declared[slot] = t;
    } else {
      const candidates = [...Object.keys(op.attrs), ...op.inputs.map((i) => i.name), ...(op.typeSlots ?? [])];
      fail('LPC1202', `\`${op.name}\` has no attribute \`${name}\``, arg.name.span, didYouMean(name, candidates) ?? listAttrs(op));
      misspelled = true;
    }
  }

  for (const spec of op.inputs) {
    const exprs = byInput.get(spec.name) ?? [];
    if (exprs.length === 0 && !spec.optional) {
      fail('LPC1203', `\`${op.name}\` needs input \`${spec.name}\` (${spec.doc})`, call.span);
    }
    for (const expr of exprs) b.inputs.push({ expr, input: spec.name });
    if (exprs.length > 0) b.spans.set(spec.name, spanFrom(exprs[0].span, exprs[exprs.length - 1].span));
  }

  for (const [name, spec] of Object.entries(op.attrs)) {
    if (name in b.attrs || given.has(name)) continue;
    if (spec.default !== undefined) b.attrs[name] = cloneDefault(spec.default);
    // After a misspelled name, the "missing" attribute is most likely that one: say it once.
    else if (!spec.optional && !misspelled) fail('LPC1203', `\`${op.name}\` needs attribute \`${name}\``, call.span, `\`${name}\`: ${spec.doc}`);
  }
  return b;
}

function listAttrs(op: OpDef): string {
  const names = Object.keys(op.attrs);
  return names.length > 0 ? `\`${op.name}\` takes ${names.map((n) => `\`${n}\``).join(', ')}` : `\`${op.name}\` takes no attributes`;
}

function cloneDefault(v: AttrValue): AttrValue {
  return Array.isArray(v) ? [...v] : v;
}

/** A number type given as an argument (`weights: W8`, `to: fixed<4, 4>`); LPC1306 otherwise. */
export function typeArgument(expr: Expr, what: string, env: Env) {
  // A bare name here is meant as a type: resolve it as one, so a typo gets "unknown type" and
  // did-you-mean over type names rather than over values.
  if (expr.kind === 'NameRef' && !env.frame.get(expr.name.name)) return resolveTypeName(expr.name, env);
  const v = evaluate(expr, env);
  if (!v) return undefined;
  if (v.kind === 'type') return v.type;
  env.report.error('LPC1306', `${what} needs a number type, got ${describeConst(v)}`, expr.span, {
    hint: 'give `f32`, `fixed<I, F>` or a type alias',
  });
  return undefined;
}

/** Checks one attribute argument against its spec; undefined after reporting an error. */
export function convertAttr(opName: string, name: string, spec: AttrSpec, expr: Expr, env: Env): AttrValue | undefined {
  const what = `\`${name}\` of \`${opName}\``;
  const wrong = (v: ConstValue, want: string) => {
    env.report.error('LPC1205', `${what} must be ${want}, got ${describeConst(v)}`, expr.span, { hint: spec.doc });
    return undefined;
  };
  if (spec.kind === 'enum') {
    const values = spec.values ?? [];
    let word = wordOf(expr);
    if (word === undefined) {
      const v = evaluate(expr, env);
      if (!v) return undefined;
      if (v.kind !== 'string') return wrong(v, `one of ${values.join(', ')}`);
      word = v.value;
    }
    if (!values.includes(word)) {
      env.report.error('LPC1207', `\`${word}\` is not a choice for ${what}`, expr.span, {
        hint: didYouMean(word, values) ?? `choose one of ${values.join(', ')}`,
      });
      return undefined;
    }
    return word;
  }
  if (spec.kind === 'type') return typeArgument(expr, what, env);
  const v = evaluate(expr, env);
  if (!v) return undefined;
  switch (spec.kind) {
    case 'string':
      return v.kind === 'string' ? v.value : wrong(v, 'a string');
    case 'bool':
      return v.kind === 'bool' ? v.value : wrong(v, '`true` or `false`');
    case 'int': {
      if (numberOf(v) === undefined) return wrong(v, 'an int');
      const n = requireWhole(v, expr, env, what);
      return n === undefined ? undefined : checkRange([n], spec, what, expr, env, false)?.[0];
    }
    case 'float': {
      const n = numberOf(v);
      return n === undefined ? wrong(v, 'a number') : checkRange([n], spec, what, expr, env, false)?.[0];
    }
    case 'ints':
    case 'floats': {
      const ints = spec.kind === 'ints';
      const want = listWant(spec, ints);
      const items = v.kind === 'list' ? v.items : [v];
      const nums: number[] = [];
      for (const item of items) {
        const n = ints ? wholeNumberOf(item) : numberOf(item);
        if (n === undefined) return wrong(v, want);
        nums.push(n);
      }
      let list = nums;
      if (spec.arity !== undefined && v.kind !== 'list') list = new Array<number>(spec.arity).fill(nums[0]);
      if (spec.arity !== undefined && list.length !== spec.arity) {
        env.report.error('LPC1208', `${what} takes ${want}, got ${items.length} value${items.length === 1 ? '' : 's'} ${formatConst(v)}`, expr.span, {
          hint: spec.doc,
        });
        return undefined;
      }
      return checkRange(list, spec, what, expr, env, v.kind === 'list');
    }
  }
}

function listWant(spec: AttrSpec, ints: boolean): string {
  const unit = ints ? 'int' : 'number';
  if (spec.arity === undefined) return `a ${unit} or a list of ${unit}s`;
  return `one ${unit} or a list of ${spec.arity} ${unit}s`;
}

function checkRange(list: number[], spec: AttrSpec, what: string, expr: Expr, env: Env, isList: boolean): number[] | undefined {
  for (const n of list) {
    const low = spec.min !== undefined && n < spec.min;
    const high = spec.max !== undefined && n > spec.max;
    if (!low && !high) continue;
    const bound = low ? `at least ${spec.min}` : `at most ${spec.max}`;
    const entries = isList ? 'entries ' : '';
    env.report.error('LPC1206', `${what} ${entries}must be ${bound}, got ${isList ? `[${list.join(', ')}]` : n}`, expr.span, {
      hint: spec.doc,
    });
    return undefined;
  }
  return list;
}
