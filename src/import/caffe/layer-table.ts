import { error, warning } from '../../diag/diagnostic.js';
import type { Attrs, DeclaredTypes, Node as IrNode } from '../../ir/graph.js';
import type { NumberType } from '../../numeric/number-type.js';
import { fillerAttrs, layerSpan, lowPrecision, multAttrs, spatialPair, type RowContext } from './caffe-attrs.js';
import { convOut, denseOut, hasFixedParams, lpfpOut, paramSpecsOut, poolOut, type ExportedLayer } from './layer-export.js';

export type { ExportedLayer } from './layer-export.js';
import { bool, num, numbersOf, spanOf, str, sub, type CaffeMessage } from './message.js';

/**
 * The Caffe layer table: ONE ROW PER LAYER TYPE. A row says what the layer becomes in lpc (an op
 * with attributes, a net input, or an alias of its bottom), how many bottoms and tops it takes,
 * which Caffe blob feeds which parameter slot, and how to write the op back as that layer type
 * (export). Importer and exporter iterate over this table; neither switches on layer types.
 */

export interface Conversion {
  op: string;
  attrs: Attrs;
  types: DeclaredTypes;
}

export interface LayerRow {
  type: string;
  /** 'op': becomes a node; 'input': a net input (see input-shapes.ts); 'alias': its tops name its bottom. */
  kind: 'op' | 'input' | 'alias';
  /** The lpc op (kind 'op'). */
  op?: string;
  bottoms: [number, number];
  tops: [number, number];
  /** How the node is marked in the net: losses and metrics (their tops are never inputs of other layers). */
  marker?: 'loss' | 'output';
  convert?(ctx: RowContext): Conversion | undefined;
  /**
   * Caffe blob i -> lpc parameter slot; undefined entries are derived copies lpc recomputes and
   * ignores on import (ADaPTION's rounded weights).
   */
  blobSlots?(attrs: Attrs): (string | undefined)[];
  /** Whether this row writes the given node on export (several rows may share an op). */
  exports?(node: IrNode): boolean;
  /** The layer type and fields for a node (export). */
  toCaffe?(node: IrNode): ExportedLayer;
}

const many = Number.POSITIVE_INFINITY;

// ---------------------------------------------------------------------------------------------
// conv / dense, full precision and ADaPTION low precision

function convAttrs(ctx: RowContext): Attrs | undefined {
  const p = sub(ctx.layer.msg, 'convolution_param') ?? {};
  const filters = num(p, 'num_output');
  if (filters === undefined) {
    ctx.diags.push(error('LPC4103', `${ctx.layer.type} layer \`${ctx.layer.name}\` needs convolution_param { num_output }`, layerSpan(ctx)));
    return undefined;
  }
  const kernel = spatialPair(ctx, p, 'kernel_size', 'kernel_h', 'kernel_w', undefined);
  if (!kernel) {
    if (numbersOf(p.kernel_size).length === 0 && num(p, 'kernel_h') === undefined) {
      ctx.diags.push(error('LPC4103', `${ctx.layer.type} layer \`${ctx.layer.name}\` needs a kernel_size`, layerSpan(ctx, p)));
    }
    return undefined;
  }
  const stride = spatialPair(ctx, p, 'stride', 'stride_h', 'stride_w', [1, 1]);
  const pad = spatialPair(ctx, p, 'pad', 'pad_h', 'pad_w', [0, 0]);
  const dilation = spatialPair(ctx, p, 'dilation', 'dilation_h', 'dilation_w', [1, 1]);
  if (!stride || !pad || !dilation) return undefined;
  if ((num(p, 'axis') ?? 1) !== 1) {
    ctx.diags.push(error('LPC4103', 'convolution over an axis other than 1 (channels) is not supported', spanOf(p, 'axis')));
    return undefined;
  }
  const attrs: Attrs = { filters, kernel, stride, pad, dilation, group: num(p, 'group') ?? 1, bias_term: bool(p, 'bias_term') ?? true };
  fillerAttrs(ctx, p, attrs);
  multAttrs(ctx, attrs);
  return attrs;
}

function denseAttrs(ctx: RowContext): Attrs | undefined {
  const p = sub(ctx.layer.msg, 'inner_product_param') ?? {};
  const units = num(p, 'num_output');
  if (units === undefined) {
    ctx.diags.push(error('LPC4103', `${ctx.layer.type} layer \`${ctx.layer.name}\` needs inner_product_param { num_output }`, layerSpan(ctx)));
    return undefined;
  }
  const attrs: Attrs = { units, axis: num(p, 'axis') ?? 1, transpose: bool(p, 'transpose') ?? false, bias_term: bool(p, 'bias_term') ?? true };
  fillerAttrs(ctx, p, attrs);
  multAttrs(ctx, attrs);
  return attrs;
}

/** Declared types of an ADaPTION conv/inner-product layer: weights (and with round_bias, bias) fixed. */
function lpTypes(ctx: RowContext): DeclaredTypes | undefined {
  const lp = lowPrecision(ctx);
  if (!lp) return undefined;
  return lp.roundBias ? { weights: lp.type, bias: lp.type } : { weights: lp.type };
}

const fullBlobs = (attrs: Attrs) => (attrs.bias_term === false ? ['weights'] : ['weights', 'bias']);
/** ADaPTION keeps [W, Q(W), b, Q(b)]: lpc reads the full-precision 0 and 2 and recomputes the copies. */
const lpBlobs = (attrs: Attrs) => (attrs.bias_term === false ? ['weights', undefined] : ['weights', undefined, 'bias', undefined]);

// ---------------------------------------------------------------------------------------------

const simple = (type: string, op: string, attrs: (ctx: RowContext) => Attrs | undefined, out: (n: IrNode) => ExportedLayer): LayerRow => ({
  type,
  kind: 'op',
  op,
  bottoms: [1, 1],
  tops: [1, 1],
  convert: (ctx) => {
    const a = attrs(ctx);
    return a ? { op, attrs: a, types: {} } : undefined;
  },
  exports: (n) => n.op === op,
  toCaffe: out,
});

function poolAttrs(ctx: RowContext): Attrs | undefined {
  const p = sub(ctx.layer.msg, 'pooling_param') ?? {};
  const global = bool(p, 'global_pooling') ?? false;
  const attrs: Attrs = { global, ceil_mode: (str(p, 'round_mode') ?? 'CEIL') === 'CEIL' };
  const kernel = spatialPair(ctx, p, 'kernel_size', 'kernel_h', 'kernel_w', undefined);
  if (kernel) attrs.kernel = kernel;
  else if (!global) {
    ctx.diags.push(error('LPC4103', `Pooling layer \`${ctx.layer.name}\` needs kernel_size (or global_pooling: true)`, layerSpan(ctx, p)));
    return undefined;
  }
  const stride = spatialPair(ctx, p, 'stride', 'stride_h', 'stride_w', [1, 1]);
  const pad = spatialPair(ctx, p, 'pad', 'pad_h', 'pad_w', [0, 0]);
  if (!stride || !pad) return undefined;
  attrs.stride = stride;
  attrs.pad = pad;
  return attrs;
}

function poolOp(ctx: RowContext): 'max_pool' | 'avg_pool' | undefined {
  const method = str(sub(ctx.layer.msg, 'pooling_param'), 'pool') ?? 'MAX';
  if (method === 'MAX') return 'max_pool';
  if (method === 'AVE') return 'avg_pool';
  ctx.diags.push(
    error('LPC4103', `pooling method ${method} is not supported`, spanOf(sub(ctx.layer.msg, 'pooling_param') ?? {}, 'pool') ?? layerSpan(ctx), {
      hint: 'use MAX or AVE',
    }),
  );
  return undefined;
}

function axisOnly(ctx: RowContext, field: string): number {
  return num(sub(ctx.layer.msg, field), 'axis') ?? 1;
}

function lossAttrs(ctx: RowContext): Attrs | undefined {
  const lp = sub(ctx.layer.msg, 'loss_param');
  const attrs: Attrs = {};
  const ignore = num(lp, 'ignore_label');
  if (ignore !== undefined) attrs.ignore_label = ignore;
  const norm = str(lp, 'normalization');
  if ((norm !== undefined && norm !== 'VALID' && norm !== 'BATCH_SIZE') || bool(lp, 'normalize') === false) {
    ctx.diags.push(warning('LPC4103', 'lpc averages the loss over the (non-ignored) batch; this normalization setting is ignored', spanOf(lp ?? {}) ?? layerSpan(ctx)));
  }
  if (axisOnly(ctx, 'softmax_param') !== 1) {
    ctx.diags.push(error('LPC4103', 'SoftmaxWithLoss over an axis other than 1 is not supported', spanOf(sub(ctx.layer.msg, 'softmax_param') ?? {}, 'axis')));
    return undefined;
  }
  return attrs;
}

function accuracyAttrs(ctx: RowContext): Attrs | undefined {
  const p = sub(ctx.layer.msg, 'accuracy_param');
  if ((num(p, 'axis') ?? 1) !== 1) {
    ctx.diags.push(error('LPC4103', 'Accuracy over an axis other than 1 is not supported', spanOf(p ?? {}, 'axis')));
    return undefined;
  }
  if (num(p, 'ignore_label') !== undefined) ctx.diags.push(warning('LPC4103', 'Accuracy ignore_label is not supported; every sample counts', spanOf(p ?? {}, 'ignore_label')));
  return { top_k: num(p, 'top_k') ?? 1 };
}

function quantizeFromLPAct(ctx: RowContext): Conversion | undefined {
  const lp = lowPrecision(ctx);
  if (!lp) return undefined;
  return { op: 'quantize', attrs: { to: lp.type }, types: {} };
}

/**
 * The two rows of a layer with weights: Caffe's float layer and the seed's LP layer (the same
 * parameter message plus `lpfp_param`, with the LP blob layout). A node exports as the LP layer
 * when a parameter has a fixed-point type.
 */
function weightedLayerRows(
  op: 'conv' | 'dense',
  floatType: string,
  lpType: string,
  attrsOf: (ctx: RowContext) => Attrs | undefined,
  paramOut: (n: IrNode) => Record<string, CaffeMessage>,
): LayerRow[] {
  const common = { kind: 'op' as const, op, bottoms: [1, 1] as [number, number], tops: [1, 1] as [number, number] };
  return [
    {
      ...common,
      type: floatType,
      convert: (ctx) => {
        const attrs = attrsOf(ctx);
        return attrs ? { op, attrs, types: {} } : undefined;
      },
      blobSlots: fullBlobs,
      exports: (n) => n.op === op && !hasFixedParams(n),
      toCaffe: (n) => ({ type: floatType, fields: { param: paramSpecsOut(n.attrs), ...paramOut(n) } }),
    },
    {
      ...common,
      type: lpType,
      convert: (ctx) => {
        const attrs = attrsOf(ctx);
        const types = lpTypes(ctx);
        return attrs && types ? { op, attrs, types } : undefined;
      },
      blobSlots: lpBlobs,
      exports: (n) => n.op === op && hasFixedParams(n),
      toCaffe: (n) => ({
        type: lpType,
        fields: { param: paramSpecsOut(n.attrs), ...paramOut(n), lpfp_param: lpfpOut(n.types.weights ?? n.types.bias!, n.types.bias !== undefined) },
      }),
    },
  ];
}

export const LAYER_TABLE: readonly LayerRow[] = [
  ...weightedLayerRows('conv', 'Convolution', 'LPConvolution', convAttrs, (n) => ({ convolution_param: convOut(n) })),
  ...weightedLayerRows('dense', 'InnerProduct', 'LPInnerProduct', denseAttrs, (n) => ({ inner_product_param: denseOut(n) })),
  {
    type: 'LPAct',
    kind: 'op',
    op: 'quantize',
    bottoms: [1, 1],
    tops: [1, 1],
    convert: quantizeFromLPAct,
    exports: (n) => n.op === 'quantize',
    toCaffe: (n) => ({ type: 'LPAct', fields: { lpfp_param: lpfpOut(n.attrs.to as NumberType, false) } }),
  },
  {
    type: 'Pooling',
    kind: 'op',
    bottoms: [1, 1],
    tops: [1, 1],
    convert: (ctx) => {
      const op = poolOp(ctx);
      const attrs = op && poolAttrs(ctx);
      return op && attrs ? { op, attrs, types: {} } : undefined;
    },
    exports: (n) => n.op === 'max_pool' || n.op === 'avg_pool',
    toCaffe: poolOut,
  },
  simple('ReLU', 'relu', (ctx) => ({ negative_slope: num(sub(ctx.layer.msg, 'relu_param'), 'negative_slope') ?? 0 }), (n) => ({
    type: 'ReLU',
    fields: n.attrs.negative_slope ? { relu_param: { negative_slope: n.attrs.negative_slope as number } } : {},
  })),
  simple('TanH', 'tanh', () => ({}), () => ({ type: 'TanH', fields: {} })),
  simple('Sigmoid', 'sigmoid', () => ({}), () => ({ type: 'Sigmoid', fields: {} })),
  simple(
    'LRN',
    'lrn',
    (ctx) => {
      const p = sub(ctx.layer.msg, 'lrn_param');
      if ((str(p, 'norm_region') ?? 'ACROSS_CHANNELS') !== 'ACROSS_CHANNELS') {
        ctx.diags.push(error('LPC4103', 'LRN WITHIN_CHANNEL is not supported (only ACROSS_CHANNELS)', spanOf(p ?? {}, 'norm_region')));
        return undefined;
      }
      return { local_size: num(p, 'local_size') ?? 5, alpha: num(p, 'alpha') ?? 1, beta: num(p, 'beta') ?? 0.75, k: num(p, 'k') ?? 1 };
    },
    (n) => ({
      type: 'LRN',
      fields: { lrn_param: { local_size: n.attrs.local_size as number, alpha: n.attrs.alpha as number, beta: n.attrs.beta as number, k: n.attrs.k as number } },
    }),
  ),
  simple('Dropout', 'dropout', (ctx) => ({ ratio: num(sub(ctx.layer.msg, 'dropout_param'), 'dropout_ratio') ?? 0.5 }), (n) => ({
    type: 'Dropout',
    fields: { dropout_param: { dropout_ratio: n.attrs.ratio as number } },
  })),
  simple('Softmax', 'softmax', (ctx) => ({ axis: axisOnly(ctx, 'softmax_param') }), (n) => ({
    type: 'Softmax',
    fields: n.attrs.axis === 1 ? {} : { softmax_param: { axis: n.attrs.axis as number } },
  })),
  {
    type: 'SoftmaxWithLoss',
    kind: 'op',
    op: 'softmax_cross_entropy',
    bottoms: [2, 2],
    tops: [1, 1],
    marker: 'loss',
    convert: (ctx) => {
      const attrs = lossAttrs(ctx);
      return attrs ? { op: 'softmax_cross_entropy', attrs, types: {} } : undefined;
    },
    exports: (n) => n.op === 'softmax_cross_entropy',
    toCaffe: (n) => ({
      type: 'SoftmaxWithLoss',
      fields: n.attrs.ignore_label === undefined ? {} : { loss_param: { ignore_label: n.attrs.ignore_label as number } },
    }),
  },
  {
    type: 'Accuracy',
    kind: 'op',
    op: 'accuracy',
    bottoms: [2, 2],
    tops: [1, 1],
    marker: 'output',
    convert: (ctx) => {
      const attrs = accuracyAttrs(ctx);
      return attrs ? { op: 'accuracy', attrs, types: {} } : undefined;
    },
    exports: (n) => n.op === 'accuracy',
    toCaffe: (n) => ({ type: 'Accuracy', fields: n.attrs.top_k === 1 ? {} : { accuracy_param: { top_k: n.attrs.top_k as number } } }),
  },
  {
    type: 'Concat',
    kind: 'op',
    op: 'concat',
    bottoms: [1, many],
    tops: [1, 1],
    convert: (ctx) => {
      const p = sub(ctx.layer.msg, 'concat_param');
      // `concat_dim` is the legacy spelling; `axis` wins when both are given (as in Caffe)
      const axis = num(p, 'axis') ?? num(p, 'concat_dim') ?? 1;
      return { op: 'concat', attrs: { axis }, types: {} };
    },
    exports: (n) => n.op === 'concat',
    toCaffe: (n) => ({ type: 'Concat', fields: { concat_param: { axis: n.attrs.axis as number } } }),
  },
  {
    type: 'BatchNorm',
    kind: 'op',
    op: 'batch_norm',
    bottoms: [1, 1],
    tops: [1, 1],
    convert: (ctx) => {
      const p = sub(ctx.layer.msg, 'batch_norm_param');
      const attrs: Attrs = { eps: num(p, 'eps') ?? 1e-5, moving_average_fraction: num(p, 'moving_average_fraction') ?? 0.999 };
      const g = bool(p, 'use_global_stats');
      if (g !== undefined) attrs.use_global_stats = g;
      return { op: 'batch_norm', attrs, types: {} };
    },
    blobSlots: () => ['mean', 'variance', 'scale_factor'],
    exports: (n) => n.op === 'batch_norm',
    toCaffe: (n) => {
      const p: CaffeMessage = { eps: n.attrs.eps as number, moving_average_fraction: n.attrs.moving_average_fraction as number };
      if (typeof n.attrs.use_global_stats === 'boolean') p.use_global_stats = n.attrs.use_global_stats;
      return { type: 'BatchNorm', fields: { batch_norm_param: p } };
    },
  },
  {
    type: 'Scale',
    kind: 'op',
    op: 'scale',
    bottoms: [1, 1],
    tops: [1, 1],
    convert: (ctx) => {
      const p = sub(ctx.layer.msg, 'scale_param');
      if ((num(p, 'num_axes') ?? 1) !== 1) {
        ctx.diags.push(error('LPC4103', 'Scale with num_axes other than 1 is not supported', spanOf(p ?? {}, 'num_axes')));
        return undefined;
      }
      return { op: 'scale', attrs: { axis: num(p, 'axis') ?? 1, bias_term: bool(p, 'bias_term') ?? false }, types: {} };
    },
    blobSlots: (attrs) => (attrs.bias_term === true ? ['gamma', 'beta'] : ['gamma']),
    exports: (n) => n.op === 'scale',
    toCaffe: (n) => ({ type: 'Scale', fields: { scale_param: { axis: n.attrs.axis as number, bias_term: n.attrs.bias_term === true } } }),
  },
  {
    type: 'Eltwise',
    kind: 'op',
    op: 'eltwise',
    bottoms: [2, many],
    tops: [1, 1],
    convert: (ctx) => {
      const p = sub(ctx.layer.msg, 'eltwise_param');
      const attrs: Attrs = { operation: (str(p, 'operation') ?? 'SUM').toLowerCase() };
      const coeffs = numbersOf(p?.coeff);
      if (coeffs.length > 0) {
        if (coeffs.length !== ctx.layer.bottoms.length) {
          ctx.diags.push(error('LPC4103', `Eltwise has ${coeffs.length} coeff values for ${ctx.layer.bottoms.length} bottoms`, spanOf(p ?? {}, 'coeff')));
          return undefined;
        }
        attrs.coeffs = coeffs;
      }
      return { op: 'eltwise', attrs, types: {} };
    },
    exports: (n) => n.op === 'eltwise' || n.op === 'add',
    toCaffe: (n) => {
      const p: CaffeMessage = { operation: n.op === 'add' ? 'SUM' : String(n.attrs.operation).toUpperCase() };
      if (Array.isArray(n.attrs.coeffs)) p.coeff = n.attrs.coeffs;
      return { type: 'Eltwise', fields: { eltwise_param: p } };
    },
  },
  simple('Flatten', 'flatten', (ctx) => {
    const p = sub(ctx.layer.msg, 'flatten_param');
    return { axis: num(p, 'axis') ?? 1, end_axis: num(p, 'end_axis') ?? -1 };
  }, (n) => ({ type: 'Flatten', fields: { flatten_param: { axis: n.attrs.axis as number, end_axis: n.attrs.end_axis as number } } })),
  simple('Reshape', 'reshape', (ctx) => {
    const p = sub(ctx.layer.msg, 'reshape_param');
    if ((num(p, 'axis') ?? 0) !== 0 || (num(p, 'num_axes') ?? -1) !== -1) {
      ctx.diags.push(error('LPC4103', 'Reshape with axis/num_axes is not supported (only a whole new shape)', spanOf(p ?? {}, 'axis') ?? layerSpan(ctx)));
      return undefined;
    }
    return { shape: numbersOf(sub(p, 'shape')?.dim) };
  }, (n) => ({ type: 'Reshape', fields: { reshape_param: { shape: { dim: n.attrs.shape as number[] } } } })),
  { type: 'Split', kind: 'alias', bottoms: [1, 1], tops: [1, many] },
  { type: 'Input', kind: 'input', bottoms: [0, 0], tops: [1, many] },
  { type: 'Data', kind: 'input', bottoms: [0, 0], tops: [1, 2] },
  { type: 'ImageData', kind: 'input', bottoms: [0, 0], tops: [1, 2] },
  { type: 'HDF5Data', kind: 'input', bottoms: [0, 0], tops: [1, many] },
  { type: 'MemoryData', kind: 'input', bottoms: [0, 0], tops: [1, 2] },
  { type: 'DummyData', kind: 'input', bottoms: [0, 0], tops: [1, many] },
];

const byType = new Map(LAYER_TABLE.map((r) => [r.type, r]));

export function layerRow(type: string): LayerRow | undefined {
  return byType.get(type);
}

export function supportedLayerTypes(): string[] {
  return LAYER_TABLE.map((r) => r.type);
}

/** The row that exports a node, or undefined when its op has no Caffe layer. */
export function exportRow(node: IrNode): LayerRow | undefined {
  return LAYER_TABLE.find((r) => r.exports?.(node));
}
