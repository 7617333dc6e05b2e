import type { NumberType } from '../numeric/number-type.js';
import { resolveType } from './evaluate.js';
import type { ProgramIndex, TopLevelDef } from './program-index.js';
import type { Reporter } from './reporter.js';
import { Frame } from './scope.js';

type AliasDef = Extract<TopLevelDef, { kind: 'type' }>;

/**
 * Makes `index.aliasType` resolve type aliases lazily, once each (errors are reported once, at
 * the alias), in the scope of the alias's own file with no local names. Aliases may refer to
 * other aliases; a cycle is reported at the alias that closes it. Then resolves every alias, so
 * that mistakes in unused aliases are reported too.
 */
export function resolveAllAliases(index: ProgramIndex, report: Reporter): void {
  const done = new Map<AliasDef, NumberType | undefined>();
  const inProgress: AliasDef[] = [];

  index.aliasType = (def) => {
    if (done.has(def)) return done.get(def);
    const at = inProgress.indexOf(def);
    if (at >= 0) {
      const chain = [...inProgress.slice(at), def].map((d) => d.name).join(' -> ');
      report.error('LPC1305', `type alias \`${def.name}\` refers to itself: ${chain}`, def.decl.name.span, {
        hint: 'make one alias in the cycle a concrete type such as `fixed<2, 6>`',
      });
      for (const d of inProgress.slice(at)) done.set(d, undefined);
      return undefined;
    }
    inProgress.push(def);
    const t = resolveType(def.decl.type, { frame: new Frame(), file: def.file, index, report });
    inProgress.pop();
    // A cycle found below may already have settled this alias as broken.
    if (!done.has(def)) done.set(def, t);
    return done.get(def);
  };

  for (const def of index.allDefs()) if (def.kind === 'type') index.aliasType(def);
}
