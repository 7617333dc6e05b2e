import protobuf from 'protobufjs';

/**
 * lpc's own Caffe schema: only the messages and fields lpc reads or writes, with the field names
 * and numbers of upstream caffe.proto (BVLC, plus ADaPTION's low-precision parameter) so the wire
 * format is compatible. Built programmatically as a protobufjs JSON descriptor.
 *
 * Field 147 of LayerParameter: ADaPTION uses it for `lpfp_param` (LowPrecisionFPParameter), while
 * BVLC Caffe later assigned 147 to `swish_param` (SwishParameter { float beta = 1 }). This schema
 * declares 147 as `lpfp_param`; the binary reader tells the two apart by the wire types inside the
 * sub-message (see classifyField147 in caffemodel-reader.ts and docs/caffe.md). In text files the
 * field name says which one it is, and `swish_param` is not supported.
 *
 * Fields that lpc accepts but does not use (data sources, engines, ...) are declared too, so real
 * prototxts read without errors; docs/caffe.md lists what is ignored.
 */

type FieldJson = { type: string; id: number; rule?: 'repeated'; options?: Record<string, unknown> };
type MessageJson = { fields: Record<string, FieldJson>; nested?: Record<string, { values: Record<string, number> }> };

const opt = (type: string, id: number, def?: unknown): FieldJson =>
  def === undefined ? { type, id } : { type, id, options: { default: def } };
const rep = (type: string, id: number, packed = false): FieldJson =>
  packed ? { type, id, rule: 'repeated', options: { packed: true } } : { type, id, rule: 'repeated', options: { packed: false } };
const enumOf = (...names: [string, number][]) => ({ values: Object.fromEntries(names) });
const engine = enumOf(['DEFAULT', 0], ['CAFFE', 1], ['CUDNN', 2]);
const rounding = enumOf(['DETERMINISTIC', 0], ['STOCHASTIC', 1]);

const messages: Record<string, MessageJson> = {
  BlobShape: { fields: { dim: rep('int64', 1, true) } },
  BlobProto: {
    fields: {
      shape: opt('BlobShape', 7),
      data: rep('float', 5, true),
      diff: rep('float', 6, true),
      double_data: rep('double', 8, true),
      double_diff: rep('double', 9, true),
      num: opt('int32', 1, 0),
      channels: opt('int32', 2, 0),
      height: opt('int32', 3, 0),
      width: opt('int32', 4, 0),
    },
  },
  FillerParameter: {
    fields: {
      type: opt('string', 1, 'constant'),
      value: opt('float', 2, 0),
      min: opt('float', 3, 0),
      max: opt('float', 4, 1),
      mean: opt('float', 5, 0),
      std: opt('float', 6, 1),
      sparse: opt('int32', 7, -1),
      variance_norm: opt('VarianceNorm', 8, 'FAN_IN'),
    },
    nested: { VarianceNorm: enumOf(['FAN_IN', 0], ['FAN_OUT', 1], ['AVERAGE', 2]) },
  },
  NetParameter: {
    fields: {
      name: opt('string', 1),
      input: rep('string', 3),
      input_shape: rep('BlobShape', 8),
      input_dim: rep('int32', 4),
      force_backward: opt('bool', 5, false),
      state: opt('NetState', 6),
      debug_info: opt('bool', 7, false),
      layer: rep('LayerParameter', 100),
      layers: rep('V1LayerParameter', 2),
    },
  },
  NetState: { fields: { phase: opt('Phase', 1, 'TEST'), level: opt('int32', 2, 0), stage: rep('string', 3) } },
  NetStateRule: {
    fields: {
      phase: opt('Phase', 1),
      min_level: opt('int32', 2),
      max_level: opt('int32', 3),
      stage: rep('string', 4),
      not_stage: rep('string', 5),
    },
  },
  ParamSpec: {
    fields: { name: opt('string', 1), share_mode: opt('DimCheckMode', 2), lr_mult: opt('float', 3, 1), decay_mult: opt('float', 4, 1) },
    nested: { DimCheckMode: enumOf(['STRICT', 0], ['PERMISSIVE', 1]) },
  },
  LayerParameter: {
    fields: {
      name: opt('string', 1),
      type: opt('string', 2),
      bottom: rep('string', 3),
      top: rep('string', 4),
      phase: opt('Phase', 10),
      loss_weight: rep('float', 5),
      param: rep('ParamSpec', 6),
      blobs: rep('BlobProto', 7),
      propagate_down: rep('bool', 11),
      include: rep('NetStateRule', 8),
      exclude: rep('NetStateRule', 9),
      transform_param: opt('TransformationParameter', 100),
      loss_param: opt('LossParameter', 101),
      accuracy_param: opt('AccuracyParameter', 102),
      batch_norm_param: opt('BatchNormParameter', 139),
      concat_param: opt('ConcatParameter', 104),
      convolution_param: opt('ConvolutionParameter', 106),
      data_param: opt('DataParameter', 107),
      dropout_param: opt('DropoutParameter', 108),
      dummy_data_param: opt('DummyDataParameter', 109),
      eltwise_param: opt('EltwiseParameter', 110),
      flatten_param: opt('FlattenParameter', 135),
      hdf5_data_param: opt('HDF5DataParameter', 112),
      image_data_param: opt('ImageDataParameter', 115),
      inner_product_param: opt('InnerProductParameter', 117),
      input_param: opt('InputParameter', 143),
      lrn_param: opt('LRNParameter', 118),
      memory_data_param: opt('MemoryDataParameter', 119),
      pooling_param: opt('PoolingParameter', 121),
      relu_param: opt('ReLUParameter', 123),
      reshape_param: opt('ReshapeParameter', 133),
      scale_param: opt('ScaleParameter', 142),
      sigmoid_param: opt('SigmoidParameter', 124),
      softmax_param: opt('SoftmaxParameter', 125),
      tanh_param: opt('TanHParameter', 127),
      // ADaPTION: field 147 (BVLC's swish_param has the same number; see the file comment)
      lpfp_param: opt('LowPrecisionFPParameter', 147),
    },
  },
  LowPrecisionFPParameter: {
    fields: { bd: opt('uint32', 1), ad: opt('uint32', 2), round_bias: opt('bool', 3, false), rounding_scheme: opt('RoundingScheme', 4, 'DETERMINISTIC') },
    nested: { RoundingScheme: rounding },
  },
  TransformationParameter: {
    fields: {
      scale: opt('float', 1, 1),
      mirror: opt('bool', 2, false),
      crop_size: opt('uint32', 3, 0),
      mean_file: opt('string', 4),
      mean_value: rep('float', 5),
      force_color: opt('bool', 6, false),
      force_gray: opt('bool', 7, false),
    },
  },
  LossParameter: {
    fields: { ignore_label: opt('int32', 1), normalization: opt('NormalizationMode', 3, 'VALID'), normalize: opt('bool', 2) },
    nested: { NormalizationMode: enumOf(['FULL', 0], ['VALID', 1], ['BATCH_SIZE', 2], ['NONE', 3]) },
  },
  AccuracyParameter: { fields: { top_k: opt('uint32', 1, 1), axis: opt('int32', 2, 1), ignore_label: opt('int32', 3) } },
  ConcatParameter: { fields: { axis: opt('int32', 2, 1), concat_dim: opt('uint32', 1, 1) } },
  BatchNormParameter: { fields: { use_global_stats: opt('bool', 1), moving_average_fraction: opt('float', 2, 0.999), eps: opt('float', 3, 1e-5) } },
  ConvolutionParameter: {
    fields: {
      num_output: opt('uint32', 1),
      bias_term: opt('bool', 2, true),
      pad: rep('uint32', 3),
      kernel_size: rep('uint32', 4),
      stride: rep('uint32', 6),
      dilation: rep('uint32', 18),
      pad_h: opt('uint32', 9, 0),
      pad_w: opt('uint32', 10, 0),
      kernel_h: opt('uint32', 11),
      kernel_w: opt('uint32', 12),
      stride_h: opt('uint32', 13),
      stride_w: opt('uint32', 14),
      group: opt('uint32', 5, 1),
      weight_filler: opt('FillerParameter', 7),
      bias_filler: opt('FillerParameter', 8),
      engine: opt('Engine', 15, 'DEFAULT'),
      axis: opt('int32', 16, 1),
      force_nd_im2col: opt('bool', 17, false),
    },
    nested: { Engine: engine },
  },
  DataParameter: {
    fields: {
      source: opt('string', 1),
      batch_size: opt('uint32', 4),
      rand_skip: opt('uint32', 7, 0),
      backend: opt('DB', 8, 'LEVELDB'),
      scale: opt('float', 2, 1),
      mean_file: opt('string', 3),
      crop_size: opt('uint32', 5, 0),
      mirror: opt('bool', 6, false),
      force_encoded_color: opt('bool', 9, false),
      prefetch: opt('uint32', 10, 4),
    },
    nested: { DB: enumOf(['LEVELDB', 0], ['LMDB', 1]) },
  },
  DropoutParameter: { fields: { dropout_ratio: opt('float', 1, 0.5) } },
  DummyDataParameter: {
    fields: {
      data_filler: rep('FillerParameter', 1),
      shape: rep('BlobShape', 6),
      num: rep('uint32', 2),
      channels: rep('uint32', 3),
      height: rep('uint32', 4),
      width: rep('uint32', 5),
    },
  },
  EltwiseParameter: {
    fields: { operation: opt('EltwiseOp', 1, 'SUM'), coeff: rep('float', 2), stable_prod_grad: opt('bool', 3, true) },
    nested: { EltwiseOp: enumOf(['PROD', 0], ['SUM', 1], ['MAX', 2]) },
  },
  FlattenParameter: { fields: { axis: opt('int32', 1, 1), end_axis: opt('int32', 2, -1) } },
  HDF5DataParameter: { fields: { source: opt('string', 1), batch_size: opt('uint32', 2), shuffle: opt('bool', 3, false) } },
  ImageDataParameter: {
    fields: {
      source: opt('string', 1),
      batch_size: opt('uint32', 4, 1),
      rand_skip: opt('uint32', 7, 0),
      shuffle: opt('bool', 8, false),
      new_height: opt('uint32', 9, 0),
      new_width: opt('uint32', 10, 0),
      is_color: opt('bool', 11, true),
      scale: opt('float', 2, 1),
      mean_file: opt('string', 3),
      crop_size: opt('uint32', 5, 0),
      mirror: opt('bool', 6, false),
      root_folder: opt('string', 12, ''),
    },
  },
  InnerProductParameter: {
    fields: {
      num_output: opt('uint32', 1),
      bias_term: opt('bool', 2, true),
      weight_filler: opt('FillerParameter', 3),
      bias_filler: opt('FillerParameter', 4),
      axis: opt('int32', 5, 1),
      transpose: opt('bool', 6, false),
    },
  },
  InputParameter: { fields: { shape: rep('BlobShape', 1) } },
  LRNParameter: {
    fields: {
      local_size: opt('uint32', 1, 5),
      alpha: opt('float', 2, 1),
      beta: opt('float', 3, 0.75),
      norm_region: opt('NormRegion', 4, 'ACROSS_CHANNELS'),
      k: opt('float', 5, 1),
      engine: opt('Engine', 6, 'DEFAULT'),
    },
    nested: { NormRegion: enumOf(['ACROSS_CHANNELS', 0], ['WITHIN_CHANNEL', 1]), Engine: engine },
  },
  MemoryDataParameter: { fields: { batch_size: opt('uint32', 1), channels: opt('uint32', 2), height: opt('uint32', 3), width: opt('uint32', 4) } },
  PoolingParameter: {
    fields: {
      pool: opt('PoolMethod', 1, 'MAX'),
      pad: opt('uint32', 4, 0),
      pad_h: opt('uint32', 9, 0),
      pad_w: opt('uint32', 10, 0),
      kernel_size: opt('uint32', 2),
      kernel_h: opt('uint32', 5),
      kernel_w: opt('uint32', 6),
      stride: opt('uint32', 3, 1),
      stride_h: opt('uint32', 7),
      stride_w: opt('uint32', 8),
      engine: opt('Engine', 11, 'DEFAULT'),
      global_pooling: opt('bool', 12, false),
      round_mode: opt('RoundMode', 13, 'CEIL'),
    },
    nested: { PoolMethod: enumOf(['MAX', 0], ['AVE', 1], ['STOCHASTIC', 2]), Engine: engine, RoundMode: enumOf(['CEIL', 0], ['FLOOR', 1]) },
  },
  ReLUParameter: { fields: { negative_slope: opt('float', 1, 0), engine: opt('Engine', 2, 'DEFAULT') }, nested: { Engine: engine } },
  ReshapeParameter: { fields: { shape: opt('BlobShape', 1), axis: opt('int32', 2, 0), num_axes: opt('int32', 3, -1) } },
  ScaleParameter: {
    fields: {
      axis: opt('int32', 1, 1),
      num_axes: opt('int32', 2, 1),
      filler: opt('FillerParameter', 3),
      bias_term: opt('bool', 4, false),
      bias_filler: opt('FillerParameter', 5),
    },
  },
  SigmoidParameter: { fields: { engine: opt('Engine', 1, 'DEFAULT') }, nested: { Engine: engine } },
  SoftmaxParameter: { fields: { engine: opt('Engine', 1, 'DEFAULT'), axis: opt('int32', 2, 1) }, nested: { Engine: engine } },
  TanHParameter: { fields: { engine: opt('Engine', 1, 'DEFAULT') }, nested: { Engine: engine } },
  V1LayerParameter: {
    fields: {
      bottom: rep('string', 2),
      top: rep('string', 3),
      name: opt('string', 4),
      include: rep('NetStateRule', 32),
      exclude: rep('NetStateRule', 33),
      type: opt('LayerType', 5),
      blobs: rep('BlobProto', 6),
      param: rep('string', 1001),
      blobs_lr: rep('float', 7),
      weight_decay: rep('float', 8),
      loss_weight: rep('float', 35),
      accuracy_param: opt('AccuracyParameter', 27),
      concat_param: opt('ConcatParameter', 9),
      convolution_param: opt('ConvolutionParameter', 10),
      data_param: opt('DataParameter', 11),
      dropout_param: opt('DropoutParameter', 12),
      dummy_data_param: opt('DummyDataParameter', 26),
      eltwise_param: opt('EltwiseParameter', 24),
      hdf5_data_param: opt('HDF5DataParameter', 13),
      image_data_param: opt('ImageDataParameter', 15),
      inner_product_param: opt('InnerProductParameter', 17),
      lrn_param: opt('LRNParameter', 18),
      memory_data_param: opt('MemoryDataParameter', 22),
      pooling_param: opt('PoolingParameter', 19),
      relu_param: opt('ReLUParameter', 30),
      sigmoid_param: opt('SigmoidParameter', 38),
      softmax_param: opt('SoftmaxParameter', 39),
      tanh_param: opt('TanHParameter', 37),
      transform_param: opt('TransformationParameter', 36),
      loss_param: opt('LossParameter', 42),
    },
    nested: {
      LayerType: enumOf(
        ['NONE', 0], ['ABSVAL', 35], ['ACCURACY', 1], ['ARGMAX', 30], ['BNLL', 2], ['CONCAT', 3], ['CONTRASTIVE_LOSS', 37],
        ['CONVOLUTION', 4], ['DATA', 5], ['DECONVOLUTION', 39], ['DROPOUT', 6], ['DUMMY_DATA', 32], ['EUCLIDEAN_LOSS', 7],
        ['ELTWISE', 25], ['EXP', 38], ['FLATTEN', 8], ['HDF5_DATA', 9], ['HDF5_OUTPUT', 10], ['HINGE_LOSS', 28], ['IM2COL', 11],
        ['IMAGE_DATA', 12], ['INFOGAIN_LOSS', 13], ['INNER_PRODUCT', 14], ['LRN', 15], ['MEMORY_DATA', 29],
        ['MULTINOMIAL_LOGISTIC_LOSS', 16], ['MVN', 34], ['POOLING', 17], ['POWER', 26], ['RELU', 18], ['SIGMOID', 19],
        ['SIGMOID_CROSS_ENTROPY_LOSS', 27], ['SILENCE', 36], ['SOFTMAX', 20], ['SOFTMAX_LOSS', 21], ['SPLIT', 22], ['SLICE', 33],
        ['TANH', 23], ['WINDOW_DATA', 24], ['THRESHOLD', 31],
      ),
    },
  },
};

function buildRoot(): protobuf.Root {
  const nested: Record<string, unknown> = { Phase: enumOf(['TRAIN', 0], ['TEST', 1]) };
  for (const [name, m] of Object.entries(messages)) nested[name] = m;
  const root = protobuf.Root.fromJSON({ nested: { caffe: { nested } } } as protobuf.INamespace);
  root.resolveAll();
  return root;
}

export const caffeRoot: protobuf.Root = buildRoot();

export function caffeType(name: keyof typeof messages): protobuf.Type {
  return caffeRoot.lookupType(`caffe.${name}`);
}

/** Field numbers the weight reader/writer scan for by hand (kept here, next to the schema). */
export const FIELD = {
  net: { name: 1, layer: 100, layers: 2 },
  layer: { name: 1, type: 2, blobs: 7, lpfp: 147 },
  v1layer: { name: 4, type: 5, blobs: 6 },
  blob: { shape: 7, data: 5, doubleData: 8, num: 1, channels: 2, height: 3, width: 4 },
  blobShape: { dim: 1 },
  lpfp: { bd: 1, ad: 2, roundBias: 3, roundingScheme: 4 },
} as const;

/** V1 LayerType enum: number -> name, for the binary reader. */
export function v1LayerTypeName(code: number): string | undefined {
  const e = caffeType('V1LayerParameter').lookupEnum('LayerType');
  return e.valuesById[code];
}
