import type { KernelRequest } from '../../../codegen/wgsl/lib/kernel.js';
import type { OpLookup } from '../../../codegen/wgsl/program.js';
import { getOp } from '../../../ops/registry.js';
import type { KernelConfig } from './cache.js';

/**
 * The configurations an op offers for a request (its `wgsl.configs` facet; the first is the
 * default), or none for ops without one. A facet that throws offers none: tuning then leaves the
 * layer at its default, which is always sound.
 */
export function opCandidates(op: string, req: KernelRequest, lookup: OpLookup = getOp): KernelConfig[] {
  const configs = lookup(op)?.wgsl?.configs;
  if (!configs) return [];
  try {
    return [...configs(req)];
  } catch {
    return [];
  }
}
