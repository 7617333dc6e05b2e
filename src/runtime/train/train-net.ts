import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph, Node } from '../../ir/graph.js';
import { formatNumberType, type NumberType } from '../../numeric/number-type.js';
import type { Dataset } from '../data/dataset.js';
import { TRAIN_CODES } from './codes.js';

/**
 * How a net meets a labelled image data set, found once from its graph and shared by every
 * backend: which input takes the images and which the labels, the batch, the losses to add up,
 * and the logits that top-1 accuracy is measured on.
 */
export interface TrainNet {
  imageInput: string;
  labelInput: string;
  /** Items per step: axis 0 of the image input. */
  batch: number;
  /** One item's shape in the net: the image input's shape without axis 0. */
  itemShape: number[];
  /** The image input's number type (f32, or fixed: the backend rounds the data to it). */
  imageType: NumberType;
  /** Loss value ids; the training loss is their sum (each with weight 1, as Caffe's default). */
  losses: string[];
  /** Top-1 accuracy is counted on these logits [batch, classes] against the label input. */
  accuracy: { logits: string; classes: number; ignoreLabel?: number };
}

function netError(code: string, message: string, hint: string, node?: Node): Diagnostic {
  return error(code, message, node?.span, { hint });
}

/** Finds the image and label inputs, the losses and the accuracy logits; diagnostics when the net does not fit. */
export function analyzeTrainNet(graph: Graph): { net?: TrainNet; diagnostics: Diagnostic[] } {
  const inputs = graph.inputs.map((id) => graph.values.get(id)).filter((v) => v !== undefined);
  const labels = inputs.filter((v) => v.type.dtype.kind === 'i32');
  const images = inputs.filter((v) => v.type.dtype.kind !== 'i32');
  const describe = inputs.map((v) => `${v.id}: ${formatNumberType(v.type.dtype)}[${v.type.shape.join(', ')}]`).join(', ') || 'none';
  if (images.length !== 1 || labels.length !== 1) {
    return {
      diagnostics: [
        netError(
          TRAIN_CODES.NET_INPUTS,
          `net '${graph.name}' has the inputs ${describe}; training and evaluation feed exactly one image input and one i32 label input`,
          'declare `input image: f32[batch, C, H, W]` and `input label: i32[batch]`',
        ),
      ],
    };
  }
  const image = images[0];
  const label = labels[0];
  const batch = image.type.shape[0];
  if (image.type.shape.length < 2 || label.type.shape.length !== 1 || label.type.shape[0] !== batch) {
    return {
      diagnostics: [
        netError(
          TRAIN_CODES.NET_INPUTS,
          `net '${graph.name}': the image input ${image.id} is [${image.type.shape.join(', ')}] and the label input ${label.id} is [${label.type.shape.join(', ')}]; they need one label per batch item`,
          'give the image input shape [batch, C, H, W] and the label input shape [batch]',
        ),
      ],
    };
  }
  const accuracy = accuracySource(graph, label.id, batch);
  if (!accuracy) {
    return {
      diagnostics: [
        netError(
          TRAIN_CODES.NO_ACCURACY,
          `net '${graph.name}' scores no [batch, classes] logits against its label input '${label.id}'`,
          'add `loss xent = softmax_cross_entropy(logits, label)` (or `output acc = accuracy(logits, label)`) with logits of shape [batch, classes]',
        ),
      ],
    };
  }
  return {
    net: {
      imageInput: image.id,
      labelInput: label.id,
      batch,
      itemShape: image.type.shape.slice(1),
      imageType: image.type.dtype,
      losses: graph.losses.map((l) => l.value),
      accuracy,
    },
    diagnostics: [],
  };
}

/** The logits of the first softmax_cross_entropy (or else accuracy) node that reads the label input. */
function accuracySource(graph: Graph, labelId: string, batch: number): TrainNet['accuracy'] | undefined {
  for (const op of ['softmax_cross_entropy', 'accuracy']) {
    for (const n of graph.nodes) {
      if (n.op !== op || n.inputs[1] !== labelId) continue;
      const logits = graph.values.get(n.inputs[0]);
      if (!logits || logits.type.shape.length !== 2 || logits.type.shape[0] !== batch) continue;
      const ignore = n.attrs.ignore_label;
      return { logits: logits.id, classes: logits.type.shape[1], ignoreLabel: typeof ignore === 'number' ? ignore : undefined };
    }
  }
  return undefined;
}

/** Whether a data set's images and labels fit the net: same values per item, no label beyond its classes. */
export function checkDataFits(net: TrainNet, graphName: string, data: Dataset): Diagnostic[] {
  const out: Diagnostic[] = [];
  const netSize = net.itemShape.reduce((a, b) => a * b, 1);
  const shape = data.train.imageShape;
  const dataSize = shape.reduce((a, b) => a * b, 1);
  if (netSize !== dataSize) {
    out.push(
      error(
        TRAIN_CODES.INPUT_SHAPE,
        `the ${data.name} images are [${shape.join(', ')}] (${dataSize} values) but net '${graphName}' takes items of [${net.itemShape.join(', ')}] (${netSize} values) in '${net.imageInput}'`,
        undefined,
        { hint: `declare the input as f32[batch, ${shape.join(', ')}]` },
      ),
    );
  }
  if (data.classes > net.accuracy.classes) {
    out.push(
      error(
        TRAIN_CODES.CLASS_COUNT,
        `the ${data.name} labels go up to ${data.classes - 1} but net '${graphName}' has ${net.accuracy.classes} classes (logits '${net.accuracy.logits}')`,
        undefined,
        { hint: `give the net ${data.classes} classes (for example --param classes=${data.classes})` },
      ),
    );
  }
  return out;
}

/**
 * Top-1 accuracy counts over the first `valid` rows of [batch, classes] logits, with Caffe's rule
 * (a row is correct when no class scores strictly higher than its label, so ties favour the
 * label) and rows labelled `ignoreLabel` skipped. Backends that keep logits on a device read
 * them back (batch * classes values) and call this.
 */
export function countCorrect(
  logits: ArrayLike<number>,
  classes: number,
  labels: ArrayLike<number>,
  valid: number,
  ignoreLabel?: number,
): { correct: number; counted: number } {
  let correct = 0;
  let counted = 0;
  for (let r = 0; r < valid; r++) {
    const y = labels[r];
    if (y === ignoreLabel) continue;
    counted++;
    const truth = logits[r * classes + y];
    let higher = 0;
    for (let c = 0; c < classes && higher === 0; c++) if (logits[r * classes + c] > truth) higher++;
    if (higher === 0 && !Number.isNaN(truth)) correct++;
  }
  return { correct, counted };
}
