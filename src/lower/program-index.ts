import type { BlockDecl, NetDecl, Program, TypeAliasDecl } from '../parser/ast.js';
import type { NumberType } from '../numeric/number-type.js';
import type { OpTable } from './op-table.js';
import type { Reporter } from './reporter.js';

export type TopLevelDef =
  | { kind: 'type'; name: string; decl: TypeAliasDecl; file: string }
  | { kind: 'block'; name: string; decl: BlockDecl; file: string }
  | { kind: 'net'; name: string; decl: NetDecl; file: string };

const KIND_WORD: Record<TopLevelDef['kind'], string> = { type: 'type alias', block: 'block', net: 'net' };

export function describeDef(d: TopLevelDef): string {
  return `${KIND_WORD[d.kind]} \`${d.name}\``;
}

export const BUILTIN_TYPES = ['f32', 'i32'] as const;

/**
 * Every top-level definition of the loaded files, and which files each file can see.
 *
 * Nets, blocks and type aliases share one namespace across all loaded files (a name defined
 * twice anywhere is an error), but a file sees only its own definitions and those of the files it
 * imports, directly or through them, so a file never depends on what its importer happens to
 * have imported before it.
 */
export class ProgramIndex {
  private readonly defs = new Map<string, TopLevelDef>();
  private readonly visibleCache = new Map<string, Set<string>>();
  /** Set by the alias resolver (aliases.ts): the number type of a type alias, or undefined after an error. */
  aliasType: (def: Extract<TopLevelDef, { kind: 'type' }>) => NumberType | undefined = () => undefined;

  constructor(
    readonly modules: ReadonlyMap<string, Program>,
    /** Files each file imports directly (resolved names, keys of `modules`). */
    private readonly imports: ReadonlyMap<string, readonly string[]>,
    readonly ops: OpTable,
    report: Reporter,
  ) {
    for (const [file, program] of modules) {
      for (const item of program.items) {
        if (item.kind === 'ImportDecl' || item.kind === 'TrainDecl') continue;
        const def = toDef(item, file);
        this.define(def, report);
      }
    }
  }

  private define(def: TopLevelDef, report: Reporter): void {
    const span = def.decl.name.span;
    const first = this.defs.get(def.name);
    if (first) {
      report.error('LPC1216', `${describeDef(def)} is already defined as ${describeDef(first)}`, span, {
        notes: [{ message: `first definition of \`${def.name}\``, span: first.decl.name.span }],
        hint: 'nets, blocks and type aliases share one namespace; rename one of them',
      });
      return;
    }
    if (def.kind === 'type' && (BUILTIN_TYPES as readonly string[]).includes(def.name)) {
      report.error('LPC1218', `type alias \`${def.name}\` would shadow the built-in type \`${def.name}\``, span, {
        hint: 'choose another name for the alias',
      });
      return;
    }
    if (def.kind === 'block' && this.ops.get(def.name)) {
      report.error('LPC1227', `block \`${def.name}\` has the name of an op`, span, {
        hint: 'op names are reserved; rename the block',
      });
      return;
    }
    this.defs.set(def.name, def);
  }

  /** Files visible from `file`: itself and everything it imports, transitively. */
  visibleFiles(file: string): ReadonlySet<string> {
    let seen = this.visibleCache.get(file);
    if (seen) return seen;
    seen = new Set<string>();
    const stack = [file];
    while (stack.length > 0) {
      const f = stack.pop() as string;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const dep of this.imports.get(f) ?? []) stack.push(dep);
    }
    this.visibleCache.set(file, seen);
    return seen;
  }

  /** The definition of `name` if `fromFile` can see it. */
  lookup(name: string, fromFile: string): TopLevelDef | undefined {
    const def = this.defs.get(name);
    return def && this.visibleFiles(fromFile).has(def.file) ? def : undefined;
  }

  /** The definition of `name` in any loaded file, visible or not (for "import it" hints). */
  lookupAnywhere(name: string): TopLevelDef | undefined {
    return this.defs.get(name);
  }

  /** Names of the definitions of one kind that `fromFile` can see (did-you-mean candidates). */
  visibleNames(fromFile: string, kind: TopLevelDef['kind']): string[] {
    const files = this.visibleFiles(fromFile);
    const out: string[] = [];
    for (const d of this.defs.values()) if (d.kind === kind && files.has(d.file)) out.push(d.name);
    return out;
  }

  /** Nets defined in one file, in source order. */
  netsIn(file: string): Extract<TopLevelDef, { kind: 'net' }>[] {
    const out: Extract<TopLevelDef, { kind: 'net' }>[] = [];
    for (const d of this.defs.values()) if (d.kind === 'net' && d.file === file) out.push(d);
    return out;
  }

  allDefs(): IterableIterator<TopLevelDef> {
    return this.defs.values();
  }
}

function toDef(item: TypeAliasDecl | NetDecl | BlockDecl, file: string): TopLevelDef {
  switch (item.kind) {
    case 'TypeAliasDecl':
      return { kind: 'type', name: item.name.name, decl: item, file };
    case 'BlockDecl':
      return { kind: 'block', name: item.name.name, decl: item, file };
    case 'NetDecl':
      return { kind: 'net', name: item.name.name, decl: item, file };
  }
}

/** A hint for a name defined in a file the current file does not import. */
export function importHint(def: TopLevelDef | undefined, fromFile: string): string | undefined {
  if (!def || def.file === fromFile) return undefined;
  return `${describeDef(def)} is defined in ${def.file}, which this file does not import; add an \`import\` of that file`;
}
