import type { ParamDecl } from '../parser/ast.js';
import type { ProgramIndex } from './program-index.js';
import type { Reporter } from './reporter.js';

/**
 * Checks of net and block headers that do not depend on how they are used, done once per
 * definition before any lowering (so a block used ten times reports them once): duplicate
 * parameter names, parameters shadowing a type alias, and tensor parameters on nets.
 */
export function checkDeclarations(index: ProgramIndex, report: Reporter): void {
  for (const def of index.allDefs()) {
    if (def.kind === 'type') continue;
    checkParams(def.decl.params, def.kind, def.name, def.file, index, report);
  }
}

function checkParams(
  params: readonly ParamDecl[],
  kind: 'net' | 'block',
  owner: string,
  file: string,
  index: ProgramIndex,
  report: Reporter,
): void {
  const seen = new Map<string, ParamDecl>();
  for (const p of params) {
    const name = p.name.name;
    const first = seen.get(name);
    if (first) {
      report.error('LPC1217', `${kind} \`${owner}\` has two parameters named \`${name}\``, p.name.span, {
        notes: [{ message: 'first parameter of that name', span: first.name.span }],
      });
      continue;
    }
    seen.set(name, p);
    const def = index.lookup(name, file);
    if (def?.kind === 'type') {
      report.error('LPC1218', `parameter \`${name}\` would shadow the type alias \`${name}\``, p.name.span, {
        notes: [{ message: `type alias \`${name}\` is defined here`, span: def.decl.name.span }],
        hint: 'rename the parameter',
      });
    }
    if (kind === 'net' && p.paramKind === 'tensor') {
      report.error('LPC1228', `net parameter \`${name}\` needs a kind`, p.name.span, {
        hint: `write \`${name}: int\`, \`float\`, \`bool\` or \`type\`; tensors enter a net through \`input\``,
      });
    }
  }
}
