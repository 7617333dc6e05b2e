import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { error, warning, type Diagnostic } from '../../../diag/diagnostic.js';
import type { KernelRequest } from '../../../codegen/wgsl/lib/kernel.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import type { AdapterIdentity } from '../capabilities.js';
import { TUNE_CODES } from './codes.js';
import { requestShapeKey } from './shape-key.js';

/**
 * The tuning cache: per adapter (vendor, architecture, device, description) and per request shape
 * key (shape-key.ts), the kernel configuration `lpc tune` chose and what it measured. A JSON file,
 * `.lpc/tune-cache.json` in the current folder unless told otherwise, written atomically so a
 * crash never leaves half a file. A cache that cannot be parsed is a warning and is treated as
 * empty: tuning only makes kernels faster, never changes what they compute, so the default
 * configurations are always a sound fallback.
 */
export const TUNE_CACHE_FORMAT = 'lpc-tune-cache';
export const TUNE_CACHE_VERSION = 1;
export const DEFAULT_TUNE_CACHE = '.lpc/tune-cache.json';

export type KernelConfig = Readonly<Record<string, number>>;

export interface TunedCandidate {
  config: KernelConfig;
  /** Median time of the layer with this configuration, in ms. */
  medianMs: number;
}

export interface TuneEntry {
  op: string;
  config: KernelConfig;
  /** Every candidate measured, in the op's order (the first is the default). */
  candidates: TunedCandidate[];
  runs: number;
  clock: 'timestamp' | 'wall';
}

export interface AdapterTuning {
  adapter: AdapterIdentity;
  entries: Record<string, TuneEntry>;
}

export interface TuneCache {
  format: typeof TUNE_CACHE_FORMAT;
  version: typeof TUNE_CACHE_VERSION;
  adapters: Record<string, AdapterTuning>;
}

export function emptyTuneCache(): TuneCache {
  return { format: TUNE_CACHE_FORMAT, version: TUNE_CACHE_VERSION, adapters: {} };
}

export function adapterKey(a: AdapterIdentity): string {
  return [a.vendor, a.architecture, a.device, a.description].join(' | ');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isConfig = (v: unknown): v is KernelConfig => isRecord(v) && Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x));

/** What is wrong with a parsed cache, or undefined when it has the expected shape. */
function cacheProblem(v: unknown): string | undefined {
  if (!isRecord(v) || v.format !== TUNE_CACHE_FORMAT) return `it is not an lpc tuning cache (no "format": "${TUNE_CACHE_FORMAT}")`;
  if (v.version !== TUNE_CACHE_VERSION) return `it has version ${String(v.version)}, this lpc reads version ${TUNE_CACHE_VERSION}`;
  if (!isRecord(v.adapters)) return 'it has no "adapters" object';
  for (const [key, a] of Object.entries(v.adapters)) {
    if (!isRecord(a) || !isRecord(a.adapter) || !isRecord(a.entries)) return `adapter "${key}" is malformed`;
    for (const f of ['vendor', 'architecture', 'device', 'description']) if (typeof a.adapter[f] !== 'string') return `adapter "${key}" lacks "${f}"`;
    for (const [shape, e] of Object.entries(a.entries)) {
      if (!isRecord(e) || typeof e.op !== 'string' || !isConfig(e.config) || !Array.isArray(e.candidates)) return `the entry "${shape}" is malformed`;
    }
  }
  return undefined;
}

/**
 * Reads the cache at `path`. A missing file is an empty cache without diagnostics; an unreadable
 * or malformed one is an empty cache with a warning (LPC5500/5501).
 */
export function readTuneCache(path: string): { cache: TuneCache; exists: boolean; diagnostics: Diagnostic[] } {
  if (!existsSync(path)) return { cache: emptyTuneCache(), exists: false, diagnostics: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return {
      cache: emptyTuneCache(),
      exists: true,
      diagnostics: [warning(TUNE_CODES.CACHE_UNREADABLE, `cannot read the tuning cache '${path}': ${e instanceof Error ? e.message : String(e)}; default kernel configurations are used`, undefined, { hint: 'check its permissions' })],
    };
  }
  let parsed: unknown;
  let problem: string | undefined;
  try {
    parsed = JSON.parse(text);
    problem = cacheProblem(parsed);
  } catch (e) {
    problem = `it is not valid JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  if (problem !== undefined) {
    return {
      cache: emptyTuneCache(),
      exists: true,
      diagnostics: [warning(TUNE_CODES.CACHE_CORRUPT, `the tuning cache '${path}' is ignored: ${problem}; default kernel configurations are used`, undefined, { hint: 'delete it and run `lpc tune` again' })],
    };
  }
  return { cache: parsed as TuneCache, exists: true, diagnostics: [] };
}

/** Writes the cache atomically (a temporary file renamed over it), creating its folder. */
export function writeTuneCache(path: string, cache: TuneCache): Diagnostic | undefined {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    return error(TUNE_CODES.CACHE_WRITE_FAILED, `cannot create the folder of the tuning cache '${path}': ${e instanceof Error ? e.message : String(e)}`, undefined, { hint: 'choose another file with `--cache`' });
  }
  const d = writeFileAtomic(path, `${JSON.stringify(cache, null, 2)}\n`);
  return d ? { ...d, code: TUNE_CODES.CACHE_WRITE_FAILED } : undefined;
}

/** Records the choices for one adapter, keeping what the cache holds for other shapes and adapters. */
export function mergeTuning(cache: TuneCache, adapter: AdapterIdentity, entries: Record<string, TuneEntry>): TuneCache {
  const key = adapterKey(adapter);
  const prior = cache.adapters[key]?.entries ?? {};
  return { ...cache, adapters: { ...cache.adapters, [key]: { adapter: { ...adapter }, entries: { ...prior, ...entries } } } };
}

/** The one adapter a cache holds choices for, or a diagnostic when it holds none or several. */
export function soleAdapter(cache: TuneCache, path: string): { adapter?: AdapterIdentity; diagnostic?: Diagnostic } {
  const all = Object.values(cache.adapters);
  if (all.length === 1) return { adapter: all[0].adapter };
  if (all.length === 0) return {};
  return {
    diagnostic: warning(TUNE_CODES.CACHE_ADAPTER_AMBIGUOUS, `the tuning cache '${path}' holds choices for ${all.length} adapters; default kernel configurations are used`, undefined, {
      hint: 'compile with `--device` to use the choices for this machine\'s adapter',
    }),
  };
}

function sameConfig(a: KernelConfig, b: KernelConfig): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/**
 * The planner's `configFor` for one adapter: the cached choice for a request's shape, when it is
 * still one of the candidates the op offers for the request (a newer lpc or other limits may
 * offer others), else undefined (the op's default).
 */
export function configLookup(
  cache: TuneCache,
  adapter: AdapterIdentity,
  candidatesOf: (op: string, req: KernelRequest) => readonly KernelConfig[],
): (req: KernelRequest, op: string) => KernelConfig | undefined {
  const entries = cache.adapters[adapterKey(adapter)]?.entries ?? {};
  return (req, op) => {
    const entry = entries[requestShapeKey(op, req)];
    if (!entry || entry.op !== op) return undefined;
    return candidatesOf(op, req).find((c) => sameConfig(c, entry.config));
  };
}
