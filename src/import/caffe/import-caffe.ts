import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import { buildGraph } from './build-graph.js';
import type { Phase } from './caffe-layers.js';
import { loadCaffemodelWeights, type WeightsMap } from './caffe-weights.js';
import { importNet } from './import-net.js';
import type { ImportedNet } from './imported-net.js';
import { parseNetPrototxt } from './text-to-message.js';
import { writeLpnet } from './write-lpnet.js';

/**
 * The Caffe importer's entry points: prototxt (+ caffemodel) -> IR graph, weights and .lpnet text.
 * None of them throws for bad input; everything a user can get wrong is a diagnostic, and an
 * unexpected exception becomes an internal-error diagnostic rather than a crash.
 */

export interface CaffeImportOptions {
  /** Which phase's layers to keep (include/exclude rules). Default TEST, like `caffe test` and deploy use. */
  phase?: Phase;
  /** Caffe blob name -> shape, for data layers whose image size the file does not give. */
  inputShapes?: Record<string, number[]>;
}

export interface CaffeNetImport {
  net?: ImportedNet;
  graph?: Graph;
  diagnostics: Diagnostic[];
  /** True when there is no error: `net` and `graph` are complete. */
  ok: boolean;
}

function internal(file: string, e: unknown): Diagnostic {
  const why = e instanceof Error ? e.message : String(e);
  return error('LPC4403', `internal error while importing ${file}: ${why}`, undefined, { hint: 'this is a bug in lpc; please report it with the file' });
}

const hasErrors = (ds: Diagnostic[]) => ds.some((d) => d.severity === 'error');

/** Prototxt text -> imported net and its IR graph. */
export function importCaffeNet(text: string, file: string, opts: CaffeImportOptions = {}): CaffeNetImport {
  const diagnostics: Diagnostic[] = [];
  try {
    const parsed = parseNetPrototxt(text, file);
    diagnostics.push(...parsed.diagnostics);
    const net = importNet(parsed.net, file, { phase: opts.phase, inputShapes: opts.inputShapes }, diagnostics);
    const graph = buildGraph(net, diagnostics);
    return { net, graph, diagnostics, ok: !hasErrors(diagnostics) };
  } catch (e) {
    diagnostics.push(internal(file, e));
    return { diagnostics, ok: false };
  }
}

/** Caffemodel bytes -> weights for an imported net (by parameter id). */
export function importCaffeWeights(bytes: Uint8Array, file: string, imported: { net: ImportedNet; graph: Graph }): { weights: WeightsMap; diagnostics: Diagnostic[]; ok: boolean } {
  const diagnostics: Diagnostic[] = [];
  try {
    const weights = loadCaffemodelWeights(bytes, file, imported.net, imported.graph, diagnostics);
    return { weights, diagnostics, ok: !hasErrors(diagnostics) };
  } catch (e) {
    diagnostics.push(internal(file, e));
    return { weights: new Map(), diagnostics, ok: false };
  }
}

export interface CaffeImportResult extends CaffeNetImport {
  lpnet?: string;
  weights?: WeightsMap;
}

/** The whole import: net, optional weights, and the .lpnet text (only when everything succeeded). */
export async function importCaffe(
  prototxt: { text: string; file: string },
  caffemodel: { bytes: Uint8Array; file: string } | undefined,
  opts: CaffeImportOptions = {},
): Promise<CaffeImportResult> {
  const result: CaffeImportResult = importCaffeNet(prototxt.text, prototxt.file, opts);
  if (!result.ok || !result.net || !result.graph) return result;
  if (caffemodel) {
    const w = importCaffeWeights(caffemodel.bytes, caffemodel.file, { net: result.net, graph: result.graph });
    result.diagnostics.push(...w.diagnostics);
    result.weights = w.weights;
    result.ok = w.ok;
    if (!w.ok) return result;
  }
  try {
    result.lpnet = await writeLpnet(result.net, result.graph, { prototxt: baseName(prototxt.file), caffemodel: caffemodel && baseName(caffemodel.file) });
  } catch (e) {
    result.diagnostics.push(internal(prototxt.file, e));
    result.ok = false;
  }
  return result;
}

function baseName(path: string): string {
  return path.replace(/^.*[\\/]/, '');
}
