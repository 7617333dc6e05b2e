import type { OpDef } from '../ops/op-def.js';
import { getOp, opNames } from '../ops/registry.js';

/**
 * Where lowering looks ops up. The default is the op registry; tests can pass their own table so
 * that checker behaviour (attribute matching, inference errors, internal errors) is tested with
 * small ops written for the purpose.
 */
export interface OpTable {
  get(name: string): OpDef | undefined;
  names(): string[];
}

export const registryOps: OpTable = { get: getOp, names: opNames };

/** A table of the given ops, falling back to the registry for the rest when `withRegistry` is set. */
export function opTableOf(ops: readonly OpDef[], withRegistry = false): OpTable {
  const own = new Map(ops.map((op) => [op.name, op]));
  return {
    get: (name) => own.get(name) ?? (withRegistry ? getOp(name) : undefined),
    names: () => (withRegistry ? [...new Set([...own.keys(), ...opNames()])] : [...own.keys()]),
  };
}
