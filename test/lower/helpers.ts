import { renderOneLine } from '../../src/diag/render.js';
import type { Graph } from '../../src/ir/graph.js';
import { formatNumberType } from '../../src/numeric/number-type.js';
import { lowerSource, type CheckOptions, type CheckResult } from '../../src/lower/front-end.js';

export type LowerOpts = CheckOptions & { files?: Record<string, string> };

/** One-line renders of every diagnostic lowering `src` (as t.lpnet) gives. */
export function linesOf(src: string, opts: LowerOpts = {}): string[] {
  return lowerSource(src, 't.lpnet', opts).diagnostics.map(renderOneLine);
}

/** Lowers `src`, failing the test with the rendered diagnostics if there are any. */
export function lowerOk(src: string, opts: LowerOpts = {}, file = 't.lpnet'): CheckResult {
  const r = lowerSource(src, file, opts);
  if (r.diagnostics.length > 0) throw new Error(`unexpected diagnostics:\n${r.diagnostics.map(renderOneLine).join('\n')}`);
  return r;
}

/** The one graph of an error-free source with a single net. */
export function graphOf(src: string, opts: LowerOpts = {}): Graph {
  const r = lowerOk(src, opts);
  if (r.graphs.length !== 1) throw new Error(`expected one graph, got ${r.graphs.length}`);
  return r.graphs[0];
}

export function paramCount(g: Graph): number {
  return g.params.reduce((n, id) => n + (g.values.get(id)?.type.shape.reduce((a, b) => a * b, 1) ?? 0), 0);
}

/** `id: dtype[shape]` of a value, e.g. `c1: fixed<4, 4>[1, 2, 6, 6]`. */
export function describeValue(g: Graph, id: string): string {
  const v = g.values.get(id);
  if (!v) return `${id}: missing`;
  return `${id}: ${formatNumberType(v.type.dtype)}[${v.type.shape.join(', ')}]`;
}
