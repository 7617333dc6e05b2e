import type { AttrValue, Attrs, Graph, TensorType } from '../ir/graph.js';
import { formatNumberType, packedBytes } from '../numeric/number-type.js';
import { sizeOf } from '../numeric/tensor.js';
import { storedType, type MemoryPlan } from './memory-plan.js';
import type { PipelineResult } from './pipeline.js';

/**
 * The planned graph as JSON (`lpc compile -o OUT` writes it as `<net>.manifest.json`): nodes,
 * values with their types, shapes and stored bytes, parameters, fusion, accumulators, the
 * memory plans and, for training, the backward plan. Number types are written in their source
 * spelling (`fixed<4, 4>`), so the file reads like the IR text. `format` and `version` let
 * readers refuse a manifest they do not understand.
 */
export const MANIFEST_FORMAT = 'lpc-planned-graph';
export const MANIFEST_VERSION = 1;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function attrJson(v: AttrValue): Json {
  if (Array.isArray(v)) return [...v];
  if (typeof v === 'object') return formatNumberType(v);
  return v;
}

function attrsJson(a: Attrs): Json {
  const out: { [key: string]: Json } = {};
  for (const k of Object.keys(a).sort()) out[k] = attrJson(a[k]);
  return out;
}

function typeJson(t: TensorType): { dtype: string; shape: number[]; bytes: number } {
  return { dtype: formatNumberType(t.dtype), shape: [...t.shape], bytes: packedBytes(t.dtype, sizeOf(t.shape)) };
}

function memoryJson(p: MemoryPlan | undefined): Json {
  if (!p) return null;
  return {
    peakBytes: p.peakBytes,
    peakLiveBytes: p.peakLiveBytes,
    sumBytes: p.sumBytes,
    buffers: [...p.buffers],
    tensors: p.tensors.map((t) => ({ id: t.id, kind: t.kind, bytes: t.bytes, birth: t.birth, death: t.death, buffer: t.buffer })),
    paramBytes: { master: p.paramBytes.master, stored: p.paramBytes.stored },
  };
}

export function plannedManifest(r: PipelineResult): Json {
  const g: Graph = r.graph;
  const values: Json[] = [];
  for (const v of g.values.values()) {
    if (v.role === 'param') continue;
    values.push({ id: v.id, role: v.role, ...typeJson(v.type), producer: v.producer ?? null, derivedFrom: v.derivedFrom ?? null });
  }
  const params: Json[] = g.params.map((id) => {
    const v = g.values.get(id)!;
    const stored = storedType(g, id) ?? v.type.dtype;
    const p = v.param!;
    return {
      id,
      shape: [...v.type.shape],
      stored: formatNumberType(stored),
      storedBytes: packedBytes(stored, sizeOf(v.type.shape)),
      slot: p.slot,
      owner: p.owner,
      trainable: p.trainable,
      lrMult: p.lrMult,
      decayMult: p.decayMult,
    };
  });
  const nodes: Json[] = g.nodes.map((n) => ({
    id: n.id,
    op: n.op,
    inputs: [...n.inputs],
    outputs: [...n.outputs],
    attrs: attrsJson(n.attrs),
    paramQuantizers: (n.paramQuantizers ?? []).map((q) => ({ param: q.param, type: formatNumberType(q.type), attrs: attrsJson(q.attrs), from: q.from })),
    epilogue: (n.epilogue ?? []).map((e) => ({
      op: e.op,
      attrs: attrsJson(e.attrs),
      inType: e.inType ? formatNumberType(e.inType) : null,
      type: e.type ? formatNumberType(e.type) : null,
      from: e.from,
    })),
    accumulator: n.accumulator ? { kind: n.accumulator.kind, bound: n.accumulator.bound, reason: n.accumulator.reason } : null,
    source: n.span ? `${n.span.file}:${n.span.start.line}` : null,
  }));
  const transforms: Json[] = (g.paramTransforms ?? []).map((t) => ({
    kind: t.kind,
    reads: Object.fromEntries(Object.entries(t.reads).map(([role, v]) => [role, { id: v.id, shape: [...v.type.shape] }])),
    writes: { ...t.writes },
    attrs: attrsJson(t.attrs),
    from: [...t.from],
  }));
  const backward: Json = r.backward
    ? {
        seeds: r.backward.seeds.map((s) => ({ loss: s.loss, grad: s.grad })),
        steps: r.backward.steps.map((s) => ({
          node: s.node,
          gradOutputs: s.gradOutputs.map((x) => x ?? null),
          gradInputs: s.gradInputs.map((x) => x ?? null),
          gradParams: s.gradParams.map((x) => x ?? null),
          accumulate: [...s.accumulate],
        })),
        paramGrads: Object.fromEntries(r.backward.paramGrads),
      }
    : null;
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    net: g.name,
    mode: r.mode,
    netParams: { ...g.netParams },
    inputs: g.inputs.map((id) => ({ id, ...typeJson(g.values.get(id)!.type) })),
    outputs: g.outputs.map((o) => ({ name: o.name, value: o.value })),
    losses: g.losses.map((l) => ({ name: l.name, value: l.value })),
    params,
    values,
    nodes,
    paramTransforms: transforms,
    fusion: { nodesBefore: r.fusion.nodesBefore, nodesAfter: r.fusion.nodesAfter },
    memory: { inference: memoryJson(r.memory.inference), training: memoryJson(r.memory.training) },
    backward,
  };
}
