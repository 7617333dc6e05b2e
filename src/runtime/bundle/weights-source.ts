import { BUNDLE_CODES } from '../../codegen/ts/codes.js';
import { lpcError } from './errors.js';

/**
 * Where `loadWeights` gets a .lpw file from: its bytes (Uint8Array, ArrayBuffer), a URL (fetched;
 * `file:` URLs are read from disk in Node), or a string: in Node a file path unless it starts with
 * a URL scheme, in a browser a URL relative to the page. Reading a path loads node-files.ts
 * dynamically, so browser builds never contain file system code.
 */
export type WeightsSource = Uint8Array | ArrayBuffer | URL | string;

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function inNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof (globalThis as { document?: unknown }).document === 'undefined';
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw lpcError(BUNDLE_CODES.WEIGHTS_UNREADABLE, `fetching the weights from ${url} failed: ${e instanceof Error ? e.message : String(e)}`, 'check the URL and that the server allows the request');
  }
  if (!response.ok) throw lpcError(BUNDLE_CODES.WEIGHTS_UNREADABLE, `fetching the weights from ${url} gave HTTP ${response.status} ${response.statusText}`, 'check the URL');
  return new Uint8Array(await response.arrayBuffer());
}

async function readPath(path: string | URL): Promise<Uint8Array> {
  const { readFileBytes } = await import('./node-files.js');
  try {
    return await readFileBytes(path);
  } catch (e) {
    throw lpcError(BUNDLE_CODES.WEIGHTS_UNREADABLE, `cannot read the weights file '${String(path)}': ${e instanceof Error ? e.message : String(e)}`, 'check the path (relative paths start at the current folder)');
  }
}

/** The bytes of a weights source and the name messages use for it. */
export async function weightsBytes(source: WeightsSource): Promise<{ bytes: Uint8Array; name: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: 'the weights' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: 'the weights' };
  if (source instanceof URL) {
    if (source.protocol === 'file:' && inNode()) return { bytes: await readPath(source), name: source.href };
    return { bytes: await fetchBytes(source.href), name: source.href };
  }
  if (typeof source === 'string') {
    if (!inNode() || /^(https?|data|blob):/i.test(source)) return { bytes: await fetchBytes(source), name: source };
    if (SCHEME.test(source)) return { bytes: await readPath(new URL(source)), name: source };
    return { bytes: await readPath(source), name: source };
  }
  throw lpcError(BUNDLE_CODES.WEIGHTS_UNREADABLE, `loadWeights was given ${describe(source)}`, 'pass a Uint8Array or ArrayBuffer of a .lpw file, a URL, or (in Node) a path');
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof x}`;
}
