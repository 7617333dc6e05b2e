import { error, warning, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import { isFixed } from '../../numeric/number-type.js';
import { readCaffemodelLayers, type BlobData, type ModelLayer } from './caffemodel-reader.js';
import type { ImportedNet, ImportedNode } from './imported-net.js';

/**
 * Matches a caffemodel's blobs to the parameters of an imported net by layer name (blob i ->
 * the slot the layer table gives), checks counts and shapes, and reports every mismatch: missing
 * layer, extra layer (a warning: Caffe ignores those too), wrong blob count, wrong shape (both
 * shapes in the message), a blob whose data does not fill its shape. ADaPTION layers store
 * [W, Q(W), b, Q(b)]; lpc takes the full-precision W and b and recomputes the rounded copies.
 */

/** Weights by parameter value id (`conv1.weights`), f32 as Caffe stores them. */
export type WeightsMap = Map<string, { shape: number[]; data: Float32Array }>;

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Caffe's legacy 4-D blobs (num, channels, height, width) match a shape padded with leading 1s. */
function shapeMatches(blob: BlobData, want: readonly number[]): boolean {
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (same(blob.shape, want)) return true;
  if (!blob.legacyShape || want.length > 4) return false;
  return same(blob.shape, [...new Array<number>(4 - want.length).fill(1), ...want]);
}

/** Blob slots for the layout the file actually has: ADaPTION's with rounded copies, or the plain one. */
function slotsFor(node: ImportedNode, count: number): (string | undefined)[] {
  const withCopies = node.blobSlots;
  const plain = withCopies.filter((s): s is string => s !== undefined);
  return count === plain.length ? plain : withCopies;
}

function checkLowPrecision(node: ImportedNode, layer: ModelLayer, file: string, diags: Diagnostic[]): void {
  const declared = node.types.weights;
  if (!layer.lpfp || !declared || !isFixed(declared)) return;
  const { bd, ad } = layer.lpfp;
  if ((bd !== undefined && bd !== declared.intBits) || (ad !== undefined && ad !== declared.fracBits)) {
    diags.push(
      warning('LPC4204', `${file}: layer "${layer.name}" was saved with lpfp_param bd ${bd} ad ${ad}, but the prototxt declares fixed<${declared.intBits}, ${declared.fracBits}>`, node.span, {
        hint: 'the prototxt wins; the full-precision weights are used either way',
      }),
    );
  }
}

export function loadCaffemodelWeights(bytes: Uint8Array, file: string, net: ImportedNet, graph: Graph, diags: Diagnostic[]): WeightsMap {
  const weights: WeightsMap = new Map();
  const byId = new Map(net.nodes.map((n) => [n.id, n]));
  const loaded = new Set<string>();
  for (const layer of readCaffemodelLayers(bytes, file, diags)) {
    const nodeId = net.layerToNode.get(layer.name);
    const node = nodeId === undefined ? undefined : byId.get(nodeId);
    if (!node) {
      if (layer.blobs.length > 0) {
        diags.push(
          warning('LPC4202', `${file}: layer "${layer.name}" (${layer.type}) has ${layer.blobs.length} blob(s) but the net has no such layer; ignored`, undefined, {
            hint: 'Caffe ignores such layers too; check the layer names if you expected them to load',
          }),
        );
      }
      continue;
    }
    // an LPAct folded into the layer before it maps to that node; it has no blobs of its own
    if (node.layerName !== layer.name) continue;
    if (loaded.has(node.id)) {
      diags.push(warning('LPC4202', `${file}: layer "${layer.name}" appears twice; the first copy is used`, node.span));
      continue;
    }
    loaded.add(node.id);
    checkLowPrecision(node, layer, file, diags);
    const slots = slotsFor(node, layer.blobs.length);
    if (layer.blobs.length !== slots.length) {
      diags.push(
        error('LPC4203', `${file}: layer "${layer.name}" has ${layer.blobs.length} blob(s), but the net's ${node.layerType} layer needs ${slots.length} (${slots.map((s) => s ?? 'rounded copy').join(', ')})`, node.span, {
          hint: 'the caffemodel belongs to another prototxt, or bias_term differs',
        }),
      );
      continue;
    }
    layer.blobs.forEach((blob, i) => {
      const slot = slots[i];
      if (slot === undefined) return;
      const pid = `${node.id}.${slot}`;
      const param = graph.values.get(pid);
      if (!param) return; // the layer's shape could not be inferred (already reported)
      const want = param.type.shape;
      if (!shapeMatches(blob, want)) {
        diags.push(
          error('LPC4204', `${file}: blob ${i} (${slot}) of layer "${layer.name}" has shape ${shapeText(blob.shape)}, but the net needs ${shapeText(want)}`, node.span, {
            hint: 'the caffemodel belongs to another prototxt (or another input size)',
          }),
        );
        return;
      }
      const count = want.reduce((a, b) => a * b, 1);
      if (blob.data.length !== count) {
        diags.push(error('LPC4205', `${file}: blob ${i} (${slot}) of layer "${layer.name}" holds ${blob.data.length} values, but its shape ${shapeText(blob.shape)} needs ${count}`, node.span));
        return;
      }
      weights.set(pid, { shape: [...want], data: blob.data });
    });
  }
  for (const n of net.nodes) {
    if (n.blobSlots.length === 0 || loaded.has(n.id)) continue;
    diags.push(
      error('LPC4201', `${file} has no weights for layer "${n.layerName}" (${n.layerType})`, n.span, {
        hint: 'use the caffemodel trained with this prototxt; weights are matched by layer name',
      }),
    );
  }
  return weights;
}
