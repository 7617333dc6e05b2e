import type { NetDecl, ParamDecl } from '../parser/ast.js';
import { parseProgram } from '../parser/parse.js';
import { didYouMean } from '../diag/suggest.js';
import { boolValue, describeConst, floatValue, intValue, typeValue, type ConstValue } from './const-value.js';
import { resolveType } from './evaluate.js';
import { coerceToKind } from './param-kinds.js';
import { Reporter } from './reporter.js';
import type { Env } from './scope.js';

/** A net parameter given from outside (`--param batch=32`, or a test): CLI values arrive as strings. */
export type OverrideValue = number | boolean | string;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * LPC1224 for overrides that no selected net declares (with did-you-mean over their
 * parameters). Overrides for parameters only some of the nets declare apply to those nets.
 */
export function checkOverrideNames(overrides: Record<string, OverrideValue>, nets: readonly NetDecl[], report: Reporter): void {
  const declared = nets.flatMap((n) => n.params.map((p) => p.name.name));
  for (const name of Object.keys(overrides)) {
    if (declared.includes(name)) continue;
    const message = nets.length === 1 ? `net \`${nets[0].name.name}\` has no parameter \`${name}\`` : `no net has a parameter \`${name}\``;
    report.error('LPC1224', message, undefined, {
      hint: didYouMean(name, declared) ?? (declared.length > 0 ? `the parameters are ${[...new Set(declared)].join(', ')}` : 'the net has no parameters'),
    });
  }
}

/**
 * The value of an override for one parameter, converted to the parameter's kind: numbers from
 * numeric strings, bools from `true`/`false`, types from their spelling (`fixed<4, 4>`, an alias
 * visible in the net's file). Errors are LPC1225 without a source location (the value came from
 * the command line), carrying the reason.
 */
export function overrideValue(p: ParamDecl, raw: OverrideValue, net: string, env: Env): ConstValue | undefined {
  const name = p.name.name;
  const fail = (why: string) => {
    env.report.error('LPC1225', `--param ${name}=${String(raw)}: parameter \`${name}\` of net \`${net}\` ${why}`, undefined, {
      hint: 'int and float parameters take numbers, bool parameters true or false, type parameters a type such as fixed<4, 4>',
    });
    return undefined;
  };
  let v: ConstValue | undefined;
  if (typeof raw === 'number') v = Number.isInteger(raw) ? intValue(raw) : floatValue(raw);
  else if (typeof raw === 'boolean') v = boolValue(raw);
  else if (p.paramKind === 'type') {
    const t = parseTypeText(raw, env);
    if (typeof t === 'string') return fail(`is a number type, but ${t}`);
    v = typeValue(t);
  } else if (NUMBER.test(raw.trim())) {
    const n = Number(raw);
    v = /[.eE]/.test(raw) ? floatValue(n) : intValue(n);
  } else if (raw === 'true' || raw === 'false') v = boolValue(raw === 'true');
  else return fail(`is ${kindPhrase(p)}, got ${JSON.stringify(raw)}`);
  const c = coerceToKind(p.paramKind, v);
  return c ?? fail(`is ${kindPhrase(p)}, got ${describeConst(v)}`);
}

function kindPhrase(p: ParamDecl): string {
  return p.paramKind === 'int' ? 'an int' : p.paramKind === 'float' ? 'a float' : p.paramKind === 'bool' ? 'a bool' : `a ${p.paramKind}`;
}

/** Parses and resolves a type written on the command line; a string says why it is not one. */
function parseTypeText(text: string, env: Env) {
  const { program, diagnostics } = parseProgram(`type T = ${text}`, '<param>');
  const item = program.items[0];
  if (diagnostics.length > 0 || program.items.length !== 1 || item.kind !== 'TypeAliasDecl') {
    return `\`${text}\` is not a number type`;
  }
  const quiet = new Reporter();
  const t = resolveType(item.type, { ...env, report: quiet });
  if (!t) return quiet.items[0]?.message ?? `\`${text}\` is not a number type`;
  return t;
}
