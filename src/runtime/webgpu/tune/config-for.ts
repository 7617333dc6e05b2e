import type { Diagnostic } from '../../../diag/diagnostic.js';
import type { KernelRequest } from '../../../codegen/wgsl/lib/kernel.js';
import type { AdapterIdentity } from '../capabilities.js';
import { adapterKey, configLookup, readTuneCache, soleAdapter, type KernelConfig } from './cache.js';
import { opCandidates } from './candidates.js';

/**
 * The tuned configurations `lpc compile`, `lpc run --backend webgpu` and the bundle path pass to
 * the planner: from the cache at `path`, for `adapter` (the device in hand), or when there is no
 * device, for the one adapter the cache holds. No cache, no entry for the adapter, or a corrupt
 * file (a warning): undefined, and every layer gets its op's default configuration.
 */
export interface TunedConfigs {
  configFor?: (req: KernelRequest, op: string) => KernelConfig | undefined;
  /** The adapter whose choices are used. */
  adapter?: AdapterIdentity;
  diagnostics: Diagnostic[];
}

export function tunedConfigs(path: string, adapter?: AdapterIdentity): TunedConfigs {
  const read = readTuneCache(path);
  if (!read.exists || read.diagnostics.length > 0) return { diagnostics: read.diagnostics };
  let target = adapter;
  if (!target) {
    const sole = soleAdapter(read.cache, path);
    if (!sole.adapter) return { diagnostics: sole.diagnostic ? [sole.diagnostic] : [] };
    target = sole.adapter;
  }
  if (!read.cache.adapters[adapterKey(target)]) return { diagnostics: [] };
  return { configFor: configLookup(read.cache, target, (op, req) => opCandidates(op, req)), adapter: target, diagnostics: [] };
}
