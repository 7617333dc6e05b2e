import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { DeclaredTypes, Graph } from '../../ir/graph.js';
import { cloneGraph } from '../../ir/graph-util.js';
import { formatNumberType, sameNumberType, type NumberType } from '../../numeric/number-type.js';
import { formatNetText, graphToLpnet, type BatchUses } from '../../import/lpnet/graph-to-lpnet.js';
import { lowerSource } from '../../lower/front-end.js';
import type { Tensor } from '../../numeric/tensor.js';
import { QUANTIZE_CODES } from './codes.js';

/**
 * A net rewritten as a flat .lpnet with given types (graph-to-lpnet.ts), formatted, and lowered
 * again: what `lpc quantize` writes is exactly what it then evaluates. The lowered graph is
 * checked against the source (same ops, shapes and the types asked for), so a writer bug is an
 * error here instead of a silently different net.
 */

export interface RewrittenNet {
  /** Formatted .lpnet text. */
  text: string;
  /** The text lowered. */
  graph: Graph;
  /** Source graph id (node or input) -> id in the rewritten graph. */
  names: Map<string, string>;
}

export interface RewriteOptions {
  /** Declared types per source node id (absent: none). */
  types: ReadonlyMap<string, DeclaredTypes>;
  /** Number type per source input id (absent: as in the source). */
  inputTypes?: ReadonlyMap<string, NumberType>;
  notes?: ReadonlyMap<string, readonly string[]>;
  header?: string[];
  batch?: BatchUses;
  /** File name for the formatter and diagnostics. */
  file: string;
}

function withTypes(source: Graph, o: RewriteOptions): Graph {
  const g = cloneGraph(source);
  for (const n of g.nodes) n.types = { ...(o.types.get(n.id) ?? {}) };
  for (const id of g.inputs) {
    const t = o.inputTypes?.get(id);
    const v = g.values.get(id);
    if (t && v) v.type = { dtype: t, shape: v.type.shape };
  }
  return g;
}

const SLOTS = ['weights', 'bias', 'acc', 'output'] as const;

/** Why the rewritten graph is not the source net with the asked types, or undefined. */
function difference(source: Graph, typed: Graph, out: Graph, names: ReadonlyMap<string, string>): string | undefined {
  if (out.nodes.length !== typed.nodes.length) return `${out.nodes.length} nodes instead of ${typed.nodes.length}`;
  for (let i = 0; i < typed.nodes.length; i++) {
    const a = typed.nodes[i];
    const b = out.nodes[i];
    if (b.op !== a.op || b.id !== names.get(a.id)) return `node ${i} is ${b.op} \`${b.id}\` instead of ${a.op} \`${names.get(a.id) ?? a.id}\``;
    const sa = source.values.get(a.outputs[0])?.type.shape ?? [];
    const sb = out.values.get(b.outputs[0])?.type.shape ?? [];
    if (sa.join() !== sb.join()) return `\`${b.id}\` has shape [${sb.join(', ')}] instead of [${sa.join(', ')}]`;
    for (const slot of SLOTS) {
      const ta = a.types[slot];
      const tb = b.types[slot];
      if ((ta === undefined) !== (tb === undefined) || (ta && tb && !sameNumberType(ta, tb))) {
        return `\`${b.id}\` declares ${slot} ${tb ? formatNumberType(tb) : 'nothing'} instead of ${ta ? formatNumberType(ta) : 'nothing'}`;
      }
    }
  }
  for (const id of typed.inputs) {
    const a = typed.values.get(id)?.type.dtype;
    const b = out.values.get(names.get(id) ?? id)?.type.dtype;
    if (!a || !b || !sameNumberType(a, b)) return `input \`${id}\` has another type`;
  }
  return undefined;
}

export async function rewriteNet(source: Graph, o: RewriteOptions): Promise<{ net?: RewrittenNet; diagnostics: Diagnostic[] }> {
  const typed = withTypes(source, o);
  const written = graphToLpnet(typed, { header: o.header, notes: o.notes, batch: o.batch });
  const text = await formatNetText(written.text, o.file);
  const lowered = lowerSource(text, o.file, { net: typed.name });
  const failed = (why: string, notes: string[] = []) => ({
    diagnostics: [
      error(QUANTIZE_CODES.REWRITE_FAILED, `the net ${source.name} written with explicit types ${why}`, undefined, {
        notes: [...notes, `the text written:\n${text}`].map((message) => ({ message })),
      }),
    ],
  });
  const errors = lowered.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || lowered.graphs.length !== 1) return failed('does not check', errors.slice(0, 5).map((d) => `${d.code}: ${d.message}`));
  const graph = lowered.graphs[0];
  const why = difference(source, typed, graph, written.names);
  if (why) return failed(`is not the same net: ${why}`);
  return { net: { text, graph, names: written.names }, diagnostics: [] };
}

/**
 * The weights of `from` under the parameter ids of `to` (a rewrite of it: `names` maps node ids),
 * matched by owning node and slot. Parameters `to` has that `from` lacks are left out.
 */
export function renameWeights(from: Graph, to: Graph, names: ReadonlyMap<string, string>, weights: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const bySource = new Map<string, string>();
  for (const id of from.params) {
    const p = from.values.get(id)?.param;
    if (p) bySource.set(`${names.get(p.owner) ?? p.owner}\u0000${p.slot}`, id);
  }
  const out = new Map<string, Tensor>();
  for (const id of to.params) {
    const p = to.values.get(id)?.param;
    const src = p ? bySource.get(`${p.owner}\u0000${p.slot}`) : undefined;
    const t = src !== undefined ? weights.get(src) : undefined;
    if (t) out.set(id, t);
  }
  return out;
}

/** The source's declared types, all dropped: the float reference net. */
export function noTypes(g: Graph): Map<string, DeclaredTypes> {
  return new Map(g.nodes.map((n) => [n.id, {}]));
}

/** The source's declared types as they are. */
export function sourceTypes(g: Graph): Map<string, DeclaredTypes> {
  return new Map(g.nodes.map((n) => [n.id, { ...n.types }]));
}
