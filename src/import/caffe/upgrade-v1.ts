import { recordFieldSpan, recordSpan, spanOf, numbersOf, type CaffeMessage } from './message.js';

/**
 * V1 nets (`layers { type: CONVOLUTION }`, enum types, `blobs_lr`/`weight_decay` per blob) are
 * upgraded to V2 `layer` messages the way Caffe's UpgradeV1LayerParameter does: the type enum
 * becomes its V2 string, `blobs_lr[i]`/`weight_decay[i]` become `param[i] { lr_mult decay_mult }`,
 * and every *_param sub-message keeps its name (V1 and V2 share those messages).
 */
export const V1_TYPE_NAMES: Readonly<Record<string, string>> = {
  ABSVAL: 'AbsVal',
  ACCURACY: 'Accuracy',
  ARGMAX: 'ArgMax',
  BNLL: 'BNLL',
  CONCAT: 'Concat',
  CONTRASTIVE_LOSS: 'ContrastiveLoss',
  CONVOLUTION: 'Convolution',
  DATA: 'Data',
  DECONVOLUTION: 'Deconvolution',
  DROPOUT: 'Dropout',
  DUMMY_DATA: 'DummyData',
  EUCLIDEAN_LOSS: 'EuclideanLoss',
  ELTWISE: 'Eltwise',
  EXP: 'Exp',
  FLATTEN: 'Flatten',
  HDF5_DATA: 'HDF5Data',
  HDF5_OUTPUT: 'HDF5Output',
  HINGE_LOSS: 'HingeLoss',
  IM2COL: 'Im2col',
  IMAGE_DATA: 'ImageData',
  INFOGAIN_LOSS: 'InfogainLoss',
  INNER_PRODUCT: 'InnerProduct',
  LRN: 'LRN',
  MEMORY_DATA: 'MemoryData',
  MULTINOMIAL_LOGISTIC_LOSS: 'MultinomialLogisticLoss',
  MVN: 'MVN',
  POOLING: 'Pooling',
  POWER: 'Power',
  RELU: 'ReLU',
  SIGMOID: 'Sigmoid',
  SIGMOID_CROSS_ENTROPY_LOSS: 'SigmoidCrossEntropyLoss',
  SILENCE: 'Silence',
  SOFTMAX: 'Softmax',
  SOFTMAX_LOSS: 'SoftmaxWithLoss',
  SPLIT: 'Split',
  SLICE: 'Slice',
  TANH: 'TanH',
  WINDOW_DATA: 'WindowData',
  THRESHOLD: 'Threshold',
};

/** V1 fields that move unchanged (same meaning, same sub-message) into the V2 layer. */
const SAME_NAME_FIELDS = [
  'name',
  'bottom',
  'top',
  'include',
  'exclude',
  'blobs',
  'loss_weight',
  'accuracy_param',
  'concat_param',
  'convolution_param',
  'data_param',
  'dropout_param',
  'dummy_data_param',
  'eltwise_param',
  'hdf5_data_param',
  'image_data_param',
  'inner_product_param',
  'lrn_param',
  'memory_data_param',
  'pooling_param',
  'relu_param',
  'sigmoid_param',
  'softmax_param',
  'tanh_param',
  'transform_param',
  'loss_param',
];

/** Upgrades one V1LayerParameter message to a V2 LayerParameter message (spans carried over). */
export function upgradeV1Layer(v1: CaffeMessage): CaffeMessage {
  const v2: CaffeMessage = {};
  recordSpan(v2, spanOf(v1));
  for (const f of SAME_NAME_FIELDS) {
    if (v1[f] === undefined) continue;
    v2[f] = v1[f];
    const n = Array.isArray(v1[f]) ? (v1[f] as unknown[]).length : 1;
    for (let i = 0; i < n; i++) {
      const s = spanOf(v1, f, i);
      if (s) recordFieldSpan(v2, f, s);
    }
  }
  const t = v1.type;
  if (typeof t === 'string') {
    // Unknown enum words cannot reach here (the schema rejected them); NONE maps to itself.
    v2.type = V1_TYPE_NAMES[t] ?? t;
    const s = spanOf(v1, 'type');
    if (s) recordFieldSpan(v2, 'type', s);
  }
  const lrs = numbersOf(v1.blobs_lr);
  const decays = numbersOf(v1.weight_decay);
  const count = Math.max(lrs.length, decays.length);
  if (count > 0) {
    const params: CaffeMessage[] = [];
    for (let i = 0; i < count; i++) {
      const p: CaffeMessage = {};
      if (i < lrs.length) p.lr_mult = lrs[i];
      if (i < decays.length) p.decay_mult = decays[i];
      const s = spanOf(v1, i < lrs.length ? 'blobs_lr' : 'weight_decay', i);
      recordSpan(p, s);
      if (s) recordFieldSpan(v2, 'param', s);
      params.push(p);
    }
    v2.param = params;
  }
  return v2;
}
