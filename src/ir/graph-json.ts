import type { Graph, Value } from './graph.js';

/**
 * A Graph as plain JSON, without loss: the same values, nodes, parameters and transforms come back
 * from decodeGraph. A Graph is data already (number types, attributes and fillers are plain
 * objects); only the value table is a Map, written here as an array in the map's order.
 *
 * Compiled bundles embed the planned graph in this form (the runtime needs its parameters, shapes
 * and transforms, and the training backend its nodes), so spans can be left out: they name files
 * on the machine that compiled the net, which a shipped bundle has no business carrying.
 */
export const GRAPH_JSON_FORMAT = 'lpc-graph';
export const GRAPH_JSON_VERSION = 1;

export interface GraphJson extends Omit<Graph, 'values'> {
  format: typeof GRAPH_JSON_FORMAT;
  version: typeof GRAPH_JSON_VERSION;
  values: Value[];
}

export interface EncodeGraphOptions {
  /** Keep source spans (default false). */
  spans?: boolean;
}

/** Drops `span` keys at any depth (values, nodes, outputs, the train section, transform reads). */
function withoutSpans<T>(x: T): T {
  if (Array.isArray(x)) return x.map(withoutSpans) as T;
  if (x === null || typeof x !== 'object') return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) if (k !== 'span') out[k] = withoutSpans(v);
  return out as T;
}

export function encodeGraph(g: Graph, opts: EncodeGraphOptions = {}): GraphJson {
  const { values, ...rest } = g;
  const json: GraphJson = { format: GRAPH_JSON_FORMAT, version: GRAPH_JSON_VERSION, ...rest, values: [...values.values()] };
  // A JSON round trip drops undefined fields and shares nothing with the graph it came from.
  const plain = JSON.parse(JSON.stringify(json)) as GraphJson;
  return opts.spans ? plain : withoutSpans(plain);
}

/** Why a JSON document is not a graph this version reads, or undefined when it is one. */
export function graphJsonProblem(x: unknown): string | undefined {
  if (x === null || typeof x !== 'object') return 'it is not an object';
  const j = x as Partial<Record<keyof GraphJson, unknown>>;
  if (j.format !== GRAPH_JSON_FORMAT) return `its format is ${JSON.stringify(j.format)}, not "${GRAPH_JSON_FORMAT}"`;
  if (j.version !== GRAPH_JSON_VERSION) return `it is version ${JSON.stringify(j.version)} of the format; this lpc reads version ${GRAPH_JSON_VERSION}`;
  for (const key of ['values', 'nodes', 'inputs', 'params', 'outputs', 'losses'] as const) {
    if (!Array.isArray(j[key])) return `its \`${key}\` is not a list`;
  }
  if (typeof j.name !== 'string') return 'it has no net name';
  return undefined;
}

/** The graph of a document that graphJsonProblem accepts (it is not checked again here). */
export function decodeGraph(json: GraphJson): Graph {
  const copy = JSON.parse(JSON.stringify(json)) as Partial<GraphJson>;
  const values = copy.values ?? [];
  delete copy.format;
  delete copy.version;
  delete copy.values;
  return { ...(copy as Omit<Graph, 'values'>), values: new Map(values.map((v) => [v.id, v])) };
}
