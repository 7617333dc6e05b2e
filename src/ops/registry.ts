import type { OpDef } from './op-def.js';

/**
 * Every op lpc knows, one line each. The language, passes, importers and backends look ops up
 * here; adding an op is one file in src/ops/, one line below, and one test file.
 */
const ALL_OPS: OpDef[] = [
  // ops register here, one import + one entry per op
];

const byName = new Map<string, OpDef>(ALL_OPS.map((op) => [op.name, op]));

export function getOp(name: string): OpDef | undefined {
  return byName.get(name);
}

export function allOps(): readonly OpDef[] {
  return ALL_OPS;
}

export function opNames(): string[] {
  return [...byName.keys()];
}
