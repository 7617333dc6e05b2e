import type { Graph } from '../ir/graph.js';
import type { TrainDecl } from '../parser/ast.js';
import { toPlain } from './const-value.js';
import { evaluate } from './evaluate.js';
import type { Expansion, LowerHooks } from './expansion.js';
import { GraphBuilder, TooManyNodes } from './graph-builder.js';
import { expandBlock } from './lower-block.js';
import { lowerBody } from './lower-stmt.js';
import { overrideValue, type OverrideValue } from './overrides.js';
import { checkParamValue } from './param-kinds.js';
import type { ProgramIndex, TopLevelDef } from './program-index.js';
import type { Reporter } from './reporter.js';
import { Frame, type Env } from './scope.js';
import { lowerTrain } from './train.js';

const hooks: LowerHooks = { expandBlock, lowerBody };

export type NetDef = Extract<TopLevelDef, { kind: 'net' }>;

/**
 * Lowers one net to an IR graph with concrete parameter values (defaults, or `overrides`), its
 * train section if any. Returns undefined when lowering reported an error: a graph is only handed
 * on when every node in it was checked.
 */
export function lowerNet(
  def: NetDef,
  index: ProgramIndex,
  report: Reporter,
  overrides: Record<string, OverrideValue> = {},
  train?: TrainDecl,
  maxNodes?: number,
): Graph | undefined {
  const errorsBefore = report.errorCount;
  const net = def.decl;
  const builder = new GraphBuilder(def.name, maxNodes);
  const frame = new Frame();
  const env: Env = { frame, file: def.file, index, report };

  for (const p of net.params) {
    const name = p.name.name;
    if (frame.get(name)) continue; // a duplicate, reported by the declaration checks
    if (p.paramKind === 'tensor') {
      // Reported by the declaration checks; uses of the name stay silent.
      frame.set(name, { kind: 'broken', span: p.name.span });
      continue;
    }
    const raw = overrides[name];
    let value;
    if (raw !== undefined) value = overrideValue(p, raw, def.name, env);
    else if (p.default) {
      const v = evaluate(p.default, env);
      value = v && checkParamValue(p, v, p.default.span, report);
    } else {
      report.error('LPC1203', `net parameter \`${name}\` has no default value`, p.name.span, {
        hint: `give it one (\`${name}: ${p.paramKind} = ...\`) or pass \`--param ${name}=...\``,
      });
    }
    if (value) {
      frame.set(name, { kind: 'const', value, span: p.name.span, origin: 'param' });
      builder.graph.netParams[name] = toPlain(value);
    } else frame.set(name, { kind: 'broken', span: p.name.span });
  }

  const x: Expansion = { env, builder, prefix: '', iter: '', blockStack: [], netTop: true, hooks };
  try {
    lowerBody(net.body, x);
  } catch (e) {
    if (!(e instanceof TooManyNodes)) throw e;
    report.error('LPC1231', `net \`${def.name}\` expands to more than ${e.limit} nodes`, net.name.span, {
      hint: 'check the repeat counts and block parameters',
    });
    return undefined;
  }

  const g = builder.graph;
  if (g.outputs.length === 0 && g.losses.length === 0 && report.errorCount === errorsBefore) {
    report.warning('LPC1230', `net \`${def.name}\` has no \`output\` or \`loss\``, net.name.span, {
      hint: 'mark its results with `output name = ...` or `loss name = ...`',
    });
  }
  if (train) g.train = lowerTrain(train, env);
  return report.errorCount === errorsBefore ? g : undefined;
}
