import type { Epilogue, Graph, Node, ParamQuantizer } from '../ir/graph.js';
import { cloneAttrs, cloneGraph, consumersOf, externalValues } from '../ir/graph-util.js';
import { dataInputs, opOf, paramInputs, QUANTIZE_OP } from './op-info.js';

/**
 * Fusion (DESIGN.md, "one dispatch per layer"): an anchor (an op with `fusion: 'anchor'`:
 * conv, dense) absorbs
 *  - the quantize nodes that round its parameters: it reads the master parameter and records a
 *    ParamQuantizer, so no separate rounding dispatch remains; and
 *  - the chain of elementwise nodes after it (ops with `fusion: 'epilogue'` and the output
 *    `quantize`), each reading only the previous value, which no other node and no graph
 *    output reads: they become Node.epilogue entries, applied in order to the anchor's result.
 * Every op kernel applies a node's epilogue before its store (the WGSL kernel contract,
 * src/codegen/wgsl/lib/kernel.ts) and the CPU executor runs op then epilogues generically, so any
 * other node may also start an epilogue chain (max_pool + relu + quantize, add + relu + quantize,
 * an elementwise op followed by its output quantizer): only losses and metrics may not, whose
 * scalar result is an end in itself. Such a node absorbs no parameter quantizers (only anchors
 * round their own parameters). Nodes are visited in graph order, so a chain belongs to the
 * earliest node that can start it.
 *
 * Training uses the same fused graph: a fused node's backward step recomputes the epilogue chain
 * from the anchor's own result (kept for backward) and runs the epilogues' backward in reverse
 * before the anchor's (docs/ir.md).
 */
export interface FusedNodeReport {
  node: string;
  /** Ops folded after the anchor, in order. */
  epilogue: string[];
  /** Parameter quantize nodes absorbed. */
  paramQuantizers: string[];
}

export interface FusionReport {
  nodesBefore: number;
  nodesAfter: number;
  fused: FusedNodeReport[];
}

export function fuseGraph(input: Graph): { graph: Graph; report: FusionReport } {
  const g = cloneGraph(input);
  const nodesBefore = g.nodes.length;
  const removed = new Set<string>();
  const fused: FusedNodeReport[] = [];
  const consumers = consumersOf(g);
  const external = externalValues(g);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));

  for (const anchor of g.nodes) {
    if (removed.has(anchor.id) || !canStartEpilogue(anchor)) continue;
    const quantizers = opOf(anchor)?.fusion === 'anchor' ? absorbParamQuantizers(g, anchor, byId, consumers, removed) : [];
    const chain = epilogueChain(g, anchor, byId, consumers, external);
    if (chain.length) {
      const firstIn = g.values.get(anchor.outputs[0])!.type.dtype;
      let inType = firstIn;
      const entries: Epilogue[] = chain.map((e) => {
        const type = g.values.get(e.outputs[0])!.type.dtype;
        const entry: Epilogue = { op: e.op, attrs: cloneAttrs(e.attrs), type, inType, from: e.id };
        inType = type;
        return entry;
      });
      const finalOut = chain[chain.length - 1].outputs[0];
      for (const n of [anchor, ...chain.slice(0, -1)]) g.values.delete(n.outputs[0]);
      for (const e of chain) removed.add(e.id);
      anchor.outputs = [finalOut];
      g.values.get(finalOut)!.producer = anchor.id;
      anchor.epilogue = [...(anchor.epilogue ?? []), ...entries];
    }
    if (chain.length || quantizers.length) {
      fused.push({ node: anchor.id, epilogue: chain.map((e) => e.op), paramQuantizers: quantizers.map((q) => q.from) });
    }
  }
  g.nodes = g.nodes.filter((n) => !removed.has(n.id));
  return { graph: g, report: { nodesBefore, nodesAfter: g.nodes.length, fused } };
}

/** Whether a node may run an epilogue chain after its own op: any op but losses and metrics. */
export function canStartEpilogue(n: Node): boolean {
  const op = opOf(n);
  return op !== undefined && op.isLoss !== true && n.outputs.length === 1;
}

/** Replaces each quantized parameter copy the anchor reads by its master and a ParamQuantizer. */
function absorbParamQuantizers(
  g: Graph,
  anchor: Node,
  byId: Map<string, Node>,
  consumers: Map<string, string[]>,
  removed: Set<string>,
): ParamQuantizer[] {
  const absorbed: ParamQuantizer[] = [];
  for (const id of paramInputs(g, anchor)) {
    const v = g.values.get(id);
    const q = v?.producer !== undefined ? byId.get(v.producer) : undefined;
    if (!v || v.derivedFrom === undefined || !q || q.op !== QUANTIZE_OP || q.inputs[0] !== v.derivedFrom) continue;
    if ((consumers.get(id) ?? []).length !== 1) continue; // the copy is shared: keep its node
    const pq: ParamQuantizer = { param: v.derivedFrom, attrs: cloneAttrs(q.attrs), type: v.type.dtype, from: q.id };
    anchor.inputs = anchor.inputs.map((i) => (i === id ? v.derivedFrom! : i));
    g.values.delete(id);
    removed.add(q.id);
    absorbed.push(pq);
  }
  if (absorbed.length) anchor.paramQuantizers = [...(anchor.paramQuantizers ?? []), ...absorbed];
  return absorbed;
}

/** The nodes after `anchor` that can run inside its dispatch, in order. */
function epilogueChain(
  g: Graph,
  anchor: Node,
  byId: Map<string, Node>,
  consumers: Map<string, string[]>,
  external: Set<string>,
): Node[] {
  const chain: Node[] = [];
  let cur = anchor;
  for (;;) {
    if (cur.outputs.length !== 1 || cur.types.output) break;
    const out = cur.outputs[0];
    const readers = consumers.get(out) ?? [];
    if (external.has(out) || readers.length !== 1) break;
    const next = byId.get(readers[0]);
    if (!next || !isEpilogue(g, next, out)) break;
    chain.push(next);
    cur = next;
  }
  return chain;
}

function isEpilogue(g: Graph, n: Node, reads: string): boolean {
  const op = opOf(n);
  if (!op || (op.fusion !== 'epilogue' && op.name !== QUANTIZE_OP)) return false;
  if (n.outputs.length !== 1 || n.inputs.length !== 1 || n.inputs[0] !== reads) return false;
  if (dataInputs(g, n).length !== 1 || n.epilogue?.length || n.paramQuantizers?.length) return false;
  // a declared output type not yet made explicit would be lost inside the chain
  return n.types.output === undefined;
}
