import { didYouMean } from '../diag/suggest.js';
import type { Span } from '../diag/span.js';
import type { CallExpr, Expr, ParamDecl } from '../parser/ast.js';
import { evaluate } from './evaluate.js';
import type { BlockDef, DeclaredOut, Expansion } from './expansion.js';
import { lowerTensor } from './lower-call.js';
import { checkParamValue } from './param-kinds.js';
import { Frame, type Binding, type Env } from './scope.js';

/**
 * Expands a block call inline. Arguments bind to the block's parameters (positional ones in
 * declared order, then named ones); tensor parameters take values lowered in the caller's scope,
 * scalar and type parameters take constants. The body is lowered in a fresh scope holding only
 * the parameters (blocks see their own file's definitions, not the caller's locals), with ids
 * prefixed by `<id>/`; the `return` value becomes the call's result and its node gets `id`.
 */
export function expandBlock(call: CallExpr, def: BlockDef, x: Expansion, id: string, out?: DeclaredOut): string | undefined {
  const { report } = x.env;
  const name = def.name;
  if (x.blockStack.includes(name)) {
    const chain = [...x.blockStack.slice(x.blockStack.indexOf(name)), name].join(' -> ');
    report.error('LPC1219', `block \`${name}\` calls itself: ${chain}`, call.callee.span, {
      hint: 'blocks are expanded inline and cannot recurse; use `repeat` to repeat layers',
    });
    return undefined;
  }
  const args = matchArgs(call, def.decl.params, name, x.env);
  if (!args) return undefined;

  const frame = new Frame();
  const blockEnv: Env = { frame, file: def.file, index: x.env.index, report };
  let ok = true;
  for (const p of def.decl.params) {
    const pname = p.name.name;
    if (frame.get(pname)) continue; // a duplicate parameter, reported at the definition
    const arg = args.get(pname);
    const b = arg ? bindArgument(p, arg, x, id) : bindDefault(p, blockEnv, call.span, name);
    if (b.kind === 'broken') ok = false;
    frame.set(pname, b);
  }
  if (!ok) return undefined;

  return report.inBlock(name, call.span, () => {
    const inner: Expansion = {
      env: blockEnv,
      builder: x.builder,
      prefix: `${id}/`,
      iter: '',
      blockStack: [...x.blockStack, name],
      netTop: false,
      returnTo: { id, out },
      hooks: x.hooks,
    };
    const result = x.hooks.lowerBody(def.decl.body, inner);
    if (!result.sawReturn) {
      report.error('LPC1220', `block \`${name}\` has no \`return\``, def.decl.name.span, {
        hint: 'end the block with `return <value>`: its result',
      });
    }
    return result.returned;
  });
}

/** Arguments by parameter name; undefined after an error (unknown name, too many, duplicate). */
function matchArgs(call: CallExpr, params: readonly ParamDecl[], block: string, env: Env): Map<string, Expr> | undefined {
  const args = new Map<string, Expr>();
  let ok = true;
  let position = 0;
  for (const arg of call.args) {
    if (arg.kind === 'PositionalArgument') {
      const p = params[position++];
      if (!p) {
        env.report.error('LPC1210', `block \`${block}\` takes ${params.length} parameter${params.length === 1 ? '' : 's'}, but this is argument ${position}`, arg.span);
        ok = false;
      } else args.set(p.name.name, arg.value);
      continue;
    }
    const pname = arg.name.name;
    if (!params.some((p) => p.name.name === pname)) {
      env.report.error('LPC1202', `block \`${block}\` has no parameter \`${pname}\``, arg.name.span, {
        hint: didYouMean(pname, params.map((p) => p.name.name)) ?? `its parameters are ${params.map((p) => `\`${p.name.name}\``).join(', ') || 'none'}`,
      });
      ok = false;
    } else if (args.has(pname)) {
      env.report.error('LPC1204', `\`${pname}\` is given twice in the call of block \`${block}\``, arg.name.span);
      ok = false;
    } else args.set(pname, arg.value);
  }
  // After a misspelled name, the "missing" parameter is most likely that one: say it once.
  if (!ok) return undefined;
  for (const p of params) {
    if (!args.has(p.name.name) && p.default === undefined) {
      env.report.error('LPC1203', `block \`${block}\` needs parameter \`${p.name.name}\``, call.span, {
        hint: p.paramKind === 'tensor' ? 'pass a tensor for it' : `pass \`${p.name.name}: <${p.paramKind}>\``,
      });
      ok = false;
    }
  }
  return ok ? args : undefined;
}

function bindArgument(p: ParamDecl, arg: Expr, x: Expansion, id: string): Binding {
  const span = arg.span;
  if (p.paramKind === 'tensor') {
    const vid = lowerTensor(arg, x, id);
    return vid === undefined ? { kind: 'broken', span } : { kind: 'tensor', valueId: vid, span };
  }
  const v = evaluate(arg, x.env);
  const checked = v && checkParamValue(p, v, arg.span, x.env.report);
  return checked ? { kind: 'const', value: checked, span, origin: 'param' } : { kind: 'broken', span };
}

/** A parameter's default, evaluated in the block's scope (earlier parameters are visible). */
function bindDefault(p: ParamDecl, env: Env, callSpan: Span, block: string): Binding {
  const expr = p.default as Expr;
  const v = env.report.inBlock(block, callSpan, () => evaluate(expr, env));
  const checked = v && checkParamValue(p, v, expr.span, env.report);
  return checked ? { kind: 'const', value: checked, span: p.span, origin: 'param' } : { kind: 'broken', span: p.span };
}
