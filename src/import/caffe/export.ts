import { error, warning, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph, Node } from '../../ir/graph.js';
import { formatNumberType, isFixed, sameNumberType, type NumberType } from '../../numeric/number-type.js';
import { quantizeTensor } from '../../numeric/quantize.js';
import { caffeType } from './caffe-schema.js';
import { encodeCaffemodel, type BlobOut, type LayerOut } from './caffemodel-writer.js';
import { exportRow } from './layer-table.js';
import type { CaffeMessage } from './message.js';
import { writePrototxt } from './prototxt-writer.js';

/**
 * IR graph (+ weights) -> Caffe: a V2 prototxt and a binary caffemodel. Net inputs become one
 * `Input` layer each; every node becomes the layer its row of the layer table writes (conv and
 * dense with fixed-point parameters as ADaPTION's LPConvolution / LPInnerProduct with
 * `lpfp_param`); a declared fixed-point output type `-> T` becomes an in-place LPAct layer after
 * the node, which the importer folds back into `-> T`. LP layers get ADaPTION's four blobs
 * [W, Q(W), b, Q(b)], the rounded copies recomputed from the masters. Importing the result gives
 * the same IR and bit-identical f32 weights (see docs/caffe.md for the few ops that come back as
 * an equivalent op instead: `add` as `eltwise`).
 */

export interface TensorLike {
  shape: number[];
  data: ArrayLike<number>;
}

export interface CaffeExport {
  prototxt: string;
  /** Chunks of the caffemodel, when weights were given. */
  caffemodel?: Uint8Array[];
  diagnostics: Diagnostic[];
  ok: boolean;
}

/** Why a type cannot be ADaPTION's lpfp_param (saturate_symmetric, nearest or stochastic). */
function lpfpProblem(t: NumberType): string | undefined {
  if (!isFixed(t)) return `${formatNumberType(t)} is not a fixed-point type`;
  if (t.overflow !== 'saturate_symmetric') return `overflow mode ${t.overflow} has no ADaPTION equivalent`;
  if (t.round !== 'nearest' && t.round !== 'stochastic') return `rounding mode ${t.round} has no ADaPTION equivalent`;
  return undefined;
}

function checkTypes(node: Node, diags: Diagnostic[]): boolean {
  const problems: string[] = [];
  for (const [slot, t] of Object.entries(node.types) as [string, NumberType | undefined][]) {
    if (!t || slot === 'acc') continue;
    if (slot === 'output' && !isFixed(t)) continue;
    const p = lpfpProblem(t);
    if (p) problems.push(`${slot} type: ${p}`);
  }
  const { weights, bias } = node.types;
  if (bias && !weights) problems.push('a bias type without a weights type cannot be written (ADaPTION rounds the bias only with the weight type)');
  if (bias && weights && !sameNumberType(bias, weights)) problems.push('the bias type differs from the weights type (ADaPTION round_bias uses the weight type)');
  if (node.op === 'quantize' && node.attrs.to && lpfpProblem(node.attrs.to as NumberType)) problems.push(lpfpProblem(node.attrs.to as NumberType)!);
  if (node.op === 'quantize' && node.attrs.ste !== undefined && node.attrs.ste !== 'identity') {
    diags.push(warning('LPC4301', `node \`${node.id}\`: ste: ${String(node.attrs.ste)} is not expressible in Caffe; LPAct uses the identity straight-through gradient`, node.span));
  }
  for (const p of problems) diags.push(error('LPC4301', `node \`${node.id}\` (${node.op}): ${p}`, node.span));
  return problems.length === 0;
}

function toF32(data: ArrayLike<number>): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/** Blobs of one node: masters from `weights`, rounded copies recomputed for the LP layout. */
function nodeBlobs(node: Node, slots: (string | undefined)[], weights: ReadonlyMap<string, TensorLike>, graph: Graph, diags: Diagnostic[]): BlobOut[] | undefined {
  const blobs: BlobOut[] = [];
  let lastSlot: string | undefined;
  for (const slot of slots) {
    if (slot === undefined) {
      const master = blobs[blobs.length - 1];
      const t = lastSlot === 'weights' ? node.types.weights : node.types.bias;
      const copy = t && isFixed(t) ? Float32Array.from(quantizeTensor(Float64Array.from(master.data), t)) : master.data;
      blobs.push({ shape: master.shape, data: copy });
      continue;
    }
    lastSlot = slot;
    const pid = `${node.id}.${slot}`;
    const w = weights.get(pid);
    const want = graph.values.get(pid)?.type.shape;
    if (!w || !want) {
      diags.push(error('LPC4302', `no weights for parameter \`${pid}\``, node.span, { hint: 'give the weights file written for this net' }));
      return undefined;
    }
    const n = want.reduce((a, b) => a * b, 1);
    if (w.data.length !== n || w.shape.length !== want.length || w.shape.some((d, i) => d !== want[i])) {
      diags.push(error('LPC4302', `weights for \`${pid}\` have shape [${w.shape.join(', ')}], the net needs [${want.join(', ')}]`, node.span));
      return undefined;
    }
    blobs.push({ shape: [...want], data: toF32(w.data) });
  }
  return blobs;
}

export function exportCaffe(graph: Graph, weights?: ReadonlyMap<string, TensorLike>, source?: string): CaffeExport {
  const diags: Diagnostic[] = [];
  const layers: LayerOut[] = [];
  for (const id of graph.inputs) {
    const v = graph.values.get(id);
    if (!v) continue;
    layers.push({ fields: { name: id, type: 'Input', top: [id], input_param: { shape: [{ dim: [...v.type.shape] }] } }, blobs: [] });
  }
  for (const node of graph.nodes) {
    const row = exportRow(node);
    if (!row?.toCaffe) {
      diags.push(error('LPC4300', `node \`${node.id}\`: op \`${node.op}\` has no Caffe layer`, node.span, { hint: 'see docs/caffe.md for the ops that export' }));
      continue;
    }
    if (!checkTypes(node, diags)) continue;
    const bottoms = node.inputs.filter((i) => graph.values.get(i)?.role !== 'param');
    const out = row.toCaffe(node);
    const fields: CaffeMessage = { name: node.id, type: out.type, bottom: bottoms, top: [node.id], ...out.fields };
    const slots = row.blobSlots?.(node.attrs) ?? [];
    let blobs: BlobOut[] = [];
    if (weights && slots.length > 0) {
      const b = nodeBlobs(node, slots, weights, graph, diags);
      if (!b) continue;
      blobs = b;
    }
    layers.push({ fields, blobs });
    const outType = node.types.output;
    if (outType && isFixed(outType) && node.op !== 'quantize') {
      layers.push({
        fields: {
          name: `${node.id}_act`,
          type: 'LPAct',
          bottom: [node.id],
          top: [node.id],
          lpfp_param: { bd: outType.intBits, ad: outType.fracBits, round_bias: false, rounding_scheme: outType.round === 'stochastic' ? 'STOCHASTIC' : 'DETERMINISTIC' },
        },
        blobs: [],
      });
    }
  }
  const ok = !diags.some((d) => d.severity === 'error');
  const header = `# Exported by lpc${source ? ` from ${source}` : ''}: net ${graph.name}. Low-precision layers use ADaPTION's LP layers.\n`;
  const prototxt = header + writePrototxt({ name: graph.name, layer: layers.map((l) => l.fields) }, caffeType('NetParameter'));
  const caffemodel = weights && ok ? encodeCaffemodel(graph.name, layers) : undefined;
  return { prototxt, caffemodel, diagnostics: diags, ok };
}
