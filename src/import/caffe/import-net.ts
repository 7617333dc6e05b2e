import { error, warning, type Diagnostic } from '../../diag/diagnostic.js';
import { didYouMean } from '../../diag/suggest.js';
import { opNames } from '../../ops/registry.js';
import { selectLayers, type CaffeLayer, type Phase } from './caffe-layers.js';
import type { ImportedInput, ImportedNet, ImportedNode } from './imported-net.js';
import { inputsFromLayer, legacyInputs, type InputShapeOptions } from './input-shapes.js';
import { layerRow, supportedLayerTypes } from './layer-table.js';
import { numbersOf, spanOf, str, type CaffeMessage } from './message.js';
import { Namer, netIdentifier } from './names.js';

/**
 * NetParameter message -> ImportedNet: walks the selected phase's layers in order, resolves
 * bottoms to the lpc value that currently holds each Caffe blob (so in-place layers, `top ==
 * bottom`, simply rebind the blob to the new node), converts each layer through its row of the
 * layer table, folds ADaPTION LPAct layers into the output type of the layer before them where
 * legal, and marks losses and unconsumed tops as outputs. Problems are diagnostics at the layer,
 * and the walk goes on so one run reports them all.
 */

export interface ImportNetOptions extends InputShapeOptions {
  phase?: Phase;
}

/** A blob produced by a layer lpc could not convert: consumers are skipped silently (no cascade). */
const POISONED = '\u0000poisoned';

export function importNet(net: CaffeMessage, file: string, opts: ImportNetOptions, diags: Diagnostic[]): ImportedNet {
  const phase = opts.phase ?? 'TEST';
  const layers = selectLayers(net, phase, diags);
  const namer = new Namer(new Set(opNames()));
  const blobs = new Map<string, string>();
  const inputs: ImportedInput[] = [];
  const nodes: ImportedNode[] = [];
  const layerToNode = new Map<string, string>();
  const layerNames = new Map<string, CaffeLayer>();
  const caffeName = str(net, 'name') ?? file.replace(/^.*[\\/]/, '').replace(/\..*$/, '');

  const addInput = (found: ReturnType<typeof legacyInputs>[number]) => {
    const id = namer.fresh(found.caffeName);
    blobs.set(found.caffeName, id);
    inputs.push({ id, caffeName: found.caffeName, dtype: found.dtype, shape: found.shape, span: found.span, data: found.data });
  };
  for (const found of legacyInputs(net, opts, diags)) addInput(found);

  for (const layer of layers) {
    const prev = layerNames.get(layer.name);
    if (prev) {
      diags.push(
        warning('LPC4109', `layer name \`${layer.name}\` is used twice; weights are matched by layer name`, spanOf(layer.msg, 'name'), {
          notes: [{ message: 'first used here', span: spanOf(prev.msg, 'name') }],
        }),
      );
    }
    layerNames.set(layer.name, layer);
    const row = layerRow(layer.type);
    if (!row) {
      const known = supportedLayerTypes();
      diags.push(
        error('LPC4100', layer.type === '' ? `layer \`${layer.name}\` has no type` : `layer type \`${layer.type}\` (layer \`${layer.name}\`) is not supported by lpc`, layer.typeSpan ?? layer.span, {
          hint: didYouMean(layer.type, known) ?? `supported types: ${known.join(', ')}`,
        }),
      );
      for (const t of layer.tops) blobs.set(t, POISONED);
      continue;
    }
    if (!countsOk(layer, row.bottoms, 'bottom', diags) || !countsOk(layer, row.tops, 'top', diags)) {
      for (const t of layer.tops) blobs.set(t, POISONED);
      continue;
    }
    const inputIds = resolveBottoms(layer, blobs, diags);
    if (row.kind === 'input') {
      for (const found of inputsFromLayer(layer, opts, diags)) addInput(found);
      for (const t of layer.tops) if (!blobs.has(t)) blobs.set(t, POISONED);
      continue;
    }
    if (!inputIds) {
      for (const t of layer.tops) blobs.set(t, POISONED);
      continue;
    }
    if (row.kind === 'alias') {
      for (const t of layer.tops) blobs.set(t, inputIds[0]);
      continue;
    }
    const conv = row.convert?.({ layer, diags });
    if (!conv) {
      for (const t of layer.tops) blobs.set(t, POISONED);
      continue;
    }
    checkTopClash(layer, blobs, diags);
    warnLossWeight(layer, diags);
    const id = namer.fresh(layer.name);
    nodes.push({
      id,
      layerName: layer.name,
      layerType: layer.type,
      op: conv.op,
      inputs: inputIds,
      attrs: conv.attrs,
      types: conv.types,
      span: layer.typeSpan ?? layer.span,
      marker: row.marker,
      blobSlots: row.blobSlots?.(conv.attrs) ?? [],
    });
    layerToNode.set(layer.name, id);
    blobs.set(layer.tops[0], id);
  }

  const folded = foldLowPrecisionActivations(nodes, layerToNode);
  markOutputs(folded);
  const used = new Set(folded.flatMap((n) => n.inputs));
  const keptInputs = inputs.filter((i) => used.has(i.id));
  typeLabelInputs(keptInputs, folded);
  if (folded.length === 0 && !diags.some((d) => d.severity === 'error')) {
    diags.push(error('LPC4108', `the net has no layers lpc can build in phase ${phase}`, spanOf(net), { hint: 'check --phase and the include/exclude rules' }));
  }
  const name = netIdentifier(caffeName, new Set([...keptInputs.map((i) => i.id), ...folded.map((n) => n.id)]));
  return { name, caffeName, file, phase, inputs: keptInputs, nodes: folded, layerToNode };
}

function countsOk(layer: CaffeLayer, [min, max]: [number, number], what: 'bottom' | 'top', diags: Diagnostic[]): boolean {
  const n = what === 'bottom' ? layer.bottoms.length : layer.tops.length;
  if (n >= min && n <= max) return true;
  const want = min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
  diags.push(error('LPC4102', `${layer.type} layer \`${layer.name}\` takes ${want} ${what}${max === 1 ? '' : 's'}, got ${n}`, layer.typeSpan ?? layer.span));
  return false;
}

function resolveBottoms(layer: CaffeLayer, blobs: Map<string, string>, diags: Diagnostic[]): string[] | undefined {
  const ids: string[] = [];
  let ok = true;
  layer.bottoms.forEach((b, i) => {
    const id = blobs.get(b);
    if (id === POISONED) {
      ok = false;
      return;
    }
    if (id === undefined) {
      diags.push(
        error('LPC4101', `bottom \`${b}\` of layer \`${layer.name}\` names no top of an earlier layer or net input`, layer.bottomSpans[i] ?? layer.span, {
          hint: didYouMean(b, [...blobs.keys()].filter((k) => blobs.get(k) !== POISONED)),
        }),
      );
      ok = false;
      return;
    }
    ids.push(id);
  });
  return ok ? ids : undefined;
}

function checkTopClash(layer: CaffeLayer, blobs: Map<string, string>, diags: Diagnostic[]): void {
  layer.tops.forEach((t, i) => {
    if (blobs.has(t) && !layer.bottoms.includes(t)) {
      diags.push(
        error('LPC4110', `top \`${t}\` of layer \`${layer.name}\` is already produced by an earlier layer (and this layer is not in place)`, layer.topSpans[i] ?? layer.span, {
          hint: 'rename the top; later layers will read this new value',
        }),
      );
    }
  });
}

function warnLossWeight(layer: CaffeLayer, diags: Diagnostic[]): void {
  for (const w of numbersOf(layer.msg.loss_weight)) {
    if (w !== 1) diags.push(warning('LPC4103', `loss_weight ${w} is ignored (lpc weights every loss 1)`, spanOf(layer.msg, 'loss_weight')));
  }
}

/**
 * ADaPTION quantizes activations with a separate LPAct layer. When the layer before it produces
 * the LPAct's only input and nothing else reads that value, the quantizer becomes that layer's
 * declared output type (`-> T`, SEMANTICS.md section 3); otherwise it stays a `quantize` node.
 */
function foldLowPrecisionActivations(nodes: ImportedNode[], layerToNode: Map<string, string>): ImportedNode[] {
  const producer = new Map(nodes.map((n) => [n.id, n]));
  const consumers = new Map<string, number>();
  for (const n of nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const renamed = new Map<string, string>();
  const out: ImportedNode[] = [];
  for (const n of nodes) {
    n.inputs = n.inputs.map((i) => renamed.get(i) ?? i);
    const before = n.layerType === 'LPAct' ? producer.get(n.inputs[0]) : undefined;
    if (before && consumers.get(before.id) === 1 && before.types.output === undefined && before.marker === undefined) {
      before.types = { ...before.types, output: n.attrs.to as NonNullable<ImportedNode['types']['output']> };
      before.folded = [...(before.folded ?? []), n.layerName];
      renamed.set(n.id, before.id);
      layerToNode.set(n.layerName, before.id);
      consumers.set(before.id, consumers.get(n.id) ?? 0);
      continue;
    }
    out.push(n);
  }
  return out;
}

/**
 * Caffe blobs are all float; lpc types class labels as i32. An input that is read only as the
 * label (second bottom) of loss and metric layers is a label, whatever layer declared it (a data
 * layer's second top already is; an Input layer or legacy `input` needs this).
 */
function typeLabelInputs(inputs: ImportedInput[], nodes: ImportedNode[]): void {
  for (const input of inputs) {
    if (input.dtype === 'i32') continue;
    const uses = nodes.flatMap((n) => n.inputs.map((id, pos) => ({ n, id, pos }))).filter((u) => u.id === input.id);
    if (uses.length > 0 && uses.every((u) => u.pos === 1 && layerRow(u.n.layerType)?.marker !== undefined)) input.dtype = 'i32';
  }
}

/** Losses get `loss`, metrics `output`; any other node nobody reads is a net output (as in Caffe). */
function markOutputs(nodes: ImportedNode[]): void {
  const read = new Set(nodes.flatMap((n) => n.inputs));
  for (const n of nodes) if (n.marker === undefined && !read.has(n.id)) n.marker = 'output';
}
