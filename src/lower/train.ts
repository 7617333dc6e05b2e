import { didYouMean } from '../diag/suggest.js';
import type { TrainConfig } from '../ir/graph.js';
import type { Expr, TrainDecl, TrainSetting } from '../parser/ast.js';
import { describeConst, formatConst, numberOf, wholeNumberOf, type ConstValue } from './const-value.js';
import { evaluate } from './evaluate.js';
import type { Env } from './scope.js';
import { ALL_SETTINGS, BOOL_SETTINGS, INT_SETTINGS, OPTIMIZERS, SCHEDULES, type TrainArgSpec, type TrainArgTable } from './train-table.js';

type ArgValue = number | number[];

/**
 * Lowers a `train NET { ... }` section to a TrainConfig. Values are evaluated in the net's scope,
 * so they may use its parameters (`batch batch`). Missing optional arguments get their defaults,
 * so the runtime reads complete settings; a missing schedule is `fixed`. Undefined after errors.
 */
export function lowerTrain(decl: TrainDecl, env: Env): TrainConfig | undefined {
  const { report } = env;
  const errorsBefore = report.errorCount;
  const seen = new Map<string, TrainSetting>();
  const config: TrainConfig = { optimizer: { kind: 'sgd', args: {} }, schedule: { kind: 'fixed', args: {} }, other: {}, span: decl.span };
  let haveOptimizer = false;

  for (const s of decl.settings) {
    const key = s.key.name;
    const first = seen.get(key);
    if (first) {
      report.error('LPC1502', `\`${key}\` is set twice in the train section`, s.key.span, {
        notes: [{ message: 'first set here', span: first.key.span }],
      });
      continue;
    }
    seen.set(key, s);
    if (key === 'optimizer' || key === 'schedule') {
      const table = key === 'optimizer' ? OPTIMIZERS : SCHEDULES;
      const r = lowerCallSetting(s, key, table, env);
      if (!r) continue;
      if (key === 'optimizer') {
        config.optimizer = { kind: r.kind, args: scalarArgs(r.args) };
        haveOptimizer = true;
      } else config.schedule = r;
      continue;
    }
    const flag = BOOL_SETTINGS[key];
    if (flag) {
      const v = evaluate(s.value, env);
      if (!v) continue;
      if (v.kind !== 'bool') {
        report.error('LPC1507', `\`${key}\` must be true or false, got ${describeConst(v)}`, s.value.span, { hint: flag.doc });
        continue;
      }
      config.other[key] = v.value;
      continue;
    }
    const spec = INT_SETTINGS[key];
    if (!spec) {
      report.error('LPC1501', `unknown train setting \`${key}\``, s.key.span, {
        hint: didYouMean(key, ALL_SETTINGS) ?? `the settings are ${ALL_SETTINGS.join(', ')}`,
      });
      continue;
    }
    const v = evaluate(s.value, env);
    if (!v) continue;
    const n = wholeNumberOf(v);
    if (n === undefined || n < spec.min || (spec.max !== undefined && n > spec.max)) {
      const range = spec.max !== undefined ? `an int from ${spec.min} to ${spec.max}` : `an int >= ${spec.min}`;
      report.error('LPC1507', `\`${key}\` must be ${range}, got ${formatConst(v)}`, s.value.span, { hint: spec.doc });
      continue;
    }
    if (key === 'batch' || key === 'epochs' || key === 'seed') config[key] = n;
    else config.other[key] = n;
  }
  if (!haveOptimizer && !seen.has('optimizer')) {
    report.error('LPC1508', `the train section of \`${decl.net.name}\` has no optimizer`, decl.net.span, {
      hint: 'add `optimizer sgd(lr: 0.01)` (or nesterov, adam, adagrad, rmsprop)',
    });
  }
  return report.errorCount === errorsBefore ? config : undefined;
}

function lowerCallSetting(s: TrainSetting, key: 'optimizer' | 'schedule', table: Record<string, TrainArgTable>, env: Env) {
  const { report } = env;
  const kinds = Object.keys(table);
  let value = s.value;
  while (value.kind === 'ParenExpr') value = value.expr;
  // `schedule fixed` reads as `schedule fixed()`.
  const callee = value.kind === 'CallExpr' ? value.callee : value.kind === 'NameRef' ? value.name : undefined;
  if (!callee) {
    report.error('LPC1509', `\`${key}\` must be written as a call such as \`${key === 'optimizer' ? 'sgd(lr: 0.01)' : 'step(gamma: 0.1, stepsize: 10000)'}\``, s.value.span);
    return undefined;
  }
  const specs = table[callee.name];
  if (!specs) {
    report.error(key === 'optimizer' ? 'LPC1503' : 'LPC1504', `unknown ${key} \`${callee.name}\``, callee.span, {
      hint: didYouMean(callee.name, kinds) ?? `the ${key === 'optimizer' ? 'optimizers' : 'schedules'} are ${kinds.join(', ')}`,
    });
    return undefined;
  }
  const args: Record<string, ArgValue> = {};
  let ok = true;
  for (const arg of value.kind === 'CallExpr' ? value.args : []) {
    if (arg.kind === 'PositionalArgument') {
      report.error('LPC1510', `arguments of \`${callee.name}\` must be named`, arg.span, {
        hint: `for example \`${callee.name}(${Object.keys(specs)[0] ?? ''}: ...)\``,
      });
      ok = false;
      continue;
    }
    const name = arg.name.name;
    const spec = specs[name];
    if (!spec) {
      const names = Object.keys(specs);
      report.error('LPC1505', `\`${callee.name}\` has no argument \`${name}\``, arg.name.span, {
        hint: didYouMean(name, names) ?? (names.length > 0 ? `its arguments are ${names.join(', ')}` : `\`${callee.name}\` takes no arguments`),
      });
      ok = false;
      continue;
    }
    if (name in args) {
      report.error('LPC1204', `\`${name}\` is given twice in the call of \`${callee.name}\``, arg.name.span);
      ok = false;
      continue;
    }
    const v = evaluate(arg.value, env);
    const checked = v && checkArg(v, spec, `\`${name}\` of \`${callee.name}\``, arg.value, env);
    if (checked === undefined) ok = false;
    else args[name] = checked;
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (name in args) continue;
    // After an unnamed argument, a "missing" one is most likely that argument: say it once.
    if (!ok) break;
    if (spec.default !== undefined) args[name] = spec.default;
    else if (!spec.optional) {
      report.error('LPC1506', `\`${callee.name}\` needs the argument \`${name}\``, value.span, { hint: `\`${name}\`: ${spec.doc}` });
      ok = false;
    }
  }
  return ok ? { kind: callee.name, args } : undefined;
}

function checkArg(v: ConstValue, spec: TrainArgSpec, what: string, at: Expr, env: Env): ArgValue | undefined {
  const bad = (want: string) => {
    env.report.error('LPC1507', `${what} must be ${want}, got ${describeConst(v)}`, at.span, { hint: spec.doc });
    return undefined;
  };
  const items = spec.kind === 'ints' ? (v.kind === 'list' ? v.items : [v]) : [v];
  const nums: number[] = [];
  for (const item of items) {
    const n = spec.kind === 'float' ? numberOf(item) : wholeNumberOf(item);
    if (n === undefined) return bad(spec.kind === 'float' ? 'a number' : spec.kind === 'int' ? 'an int' : 'a list of ints');
    if (spec.min !== undefined && (n < spec.min || (spec.minExclusive && n === spec.min))) {
      return bad(spec.minExclusive ? `greater than ${spec.min}` : `at least ${spec.min}`);
    }
    if (spec.below !== undefined && n >= spec.below) return bad(`less than ${spec.below}`);
    nums.push(n);
  }
  if (spec.kind !== 'ints') return nums[0];
  if (nums.length === 0 || nums.some((n, i) => i > 0 && n <= nums[i - 1])) return bad('a non-empty list of increasing ints');
  return nums;
}

/** Optimizer arguments are all scalars (no optimizer takes a list). */
function scalarArgs(args: Record<string, ArgValue>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(args)) if (typeof v === 'number') out[k] = v;
  return out;
}
