import { error, warning, type Diagnostic } from '../../diag/diagnostic.js';
import type { Span } from '../../diag/span.js';
import type { CaffeLayer } from './caffe-layers.js';
import type { DataSourceInfo } from './imported-net.js';
import { bool, messagesOf, num, numbersOf, spanOf, str, stringsOf, sub, type CaffeMessage } from './message.js';

/**
 * Net inputs and their shapes: legacy `input` + `input_dim`/`input_shape`, `Input` layers,
 * `DummyData`, and data layers (Data, ImageData, HDF5Data, MemoryData). Data layers read a
 * database lpc cannot open at import time, so their image shape comes from, in order: the user's
 * `--input-shape`, the layer itself (MemoryData sizes, crop_size, new_height/new_width, is_color),
 * or a guess from well-known data set names in the source path (MNIST, CIFAR, ImageNet), which is
 * reported as a warning. The second top of a data layer is the label: i32[batch].
 */

export interface InputShapeOptions {
  /** Caffe blob name -> full shape (N, C, H, W), overriding whatever the file says. */
  inputShapes?: Record<string, number[]>;
}

export interface FoundInput {
  caffeName: string;
  dtype: 'f32' | 'i32';
  shape: number[];
  span?: Span;
  data?: DataSourceInfo;
}

function shapeOf(blobShape: CaffeMessage | undefined): number[] {
  return numbersOf(blobShape?.dim);
}

/** `input: "data" input_dim: 1 input_dim: 3 ...` or `input_shape { dim: ... }` at the net level. */
export function legacyInputs(net: CaffeMessage, opts: InputShapeOptions, diags: Diagnostic[]): FoundInput[] {
  const names = stringsOf(net.input);
  if (names.length === 0) return [];
  const dims = numbersOf(net.input_dim);
  const shapes = messagesOf(net.input_shape);
  const out: FoundInput[] = [];
  names.forEach((name, i) => {
    const span = spanOf(net, 'input', i);
    const given = opts.inputShapes?.[name];
    let shape: number[] | undefined = given;
    if (!shape && shapes.length > 0) shape = shapes.length === names.length ? shapeOf(shapes[i]) : undefined;
    if (!shape && dims.length > 0) shape = dims.length === 4 * names.length ? dims.slice(4 * i, 4 * i + 4) : undefined;
    if (!shape) {
      diags.push(
        error('LPC4104', `net input \`${name}\` has no shape: give one input_shape per input or 4 input_dim values per input`, span, {
          hint: `or run lpc import --input-shape ${name}=N,C,H,W`,
        }),
      );
      return;
    }
    out.push({ caffeName: name, dtype: 'f32', shape, span });
  });
  return out;
}

const KNOWN_DATA_SETS: { pattern: RegExp; name: string; chw: (crop: number | undefined) => [number, number, number] }[] = [
  { pattern: /mnist/i, name: 'MNIST', chw: (c) => [1, c ?? 28, c ?? 28] },
  { pattern: /cifar/i, name: 'CIFAR', chw: (c) => [3, c ?? 32, c ?? 32] },
  { pattern: /imagenet|ilsvrc/i, name: 'ImageNet', chw: (c) => [3, c ?? 256, c ?? 256] },
];

function dataInfo(layer: CaffeLayer, p: CaffeMessage | undefined, shapeFrom: string): DataSourceInfo {
  const t = sub(layer.msg, 'transform_param');
  const info: DataSourceInfo = { layerType: layer.type, layerName: layer.name, shapeFrom };
  const source = str(p, 'source');
  if (source !== undefined) info.source = source;
  const batch = num(p, 'batch_size');
  if (batch !== undefined) info.batchSize = batch;
  const backend = str(p, 'backend');
  if (backend !== undefined) info.backend = backend;
  const scale = num(t, 'scale') ?? num(p, 'scale');
  if (scale !== undefined) info.scale = scale;
  const mean = numbersOf(t?.mean_value);
  if (mean.length > 0) info.meanValue = mean;
  const meanFile = str(t, 'mean_file') ?? str(p, 'mean_file');
  if (meanFile !== undefined) info.meanFile = meanFile;
  const crop = num(t, 'crop_size') ?? num(p, 'crop_size');
  if (crop) info.cropSize = crop;
  const mirror = bool(t, 'mirror') ?? bool(p, 'mirror');
  if (mirror !== undefined) info.mirror = mirror;
  return info;
}

const PARAM_FIELD: Record<string, string> = {
  Data: 'data_param',
  ImageData: 'image_data_param',
  HDF5Data: 'hdf5_data_param',
  MemoryData: 'memory_data_param',
};

/** The inputs one input-kind layer provides (one per top). */
export function inputsFromLayer(layer: CaffeLayer, opts: InputShapeOptions, diags: Diagnostic[]): FoundInput[] {
  const at = layer.typeSpan ?? layer.span;
  const out: FoundInput[] = [];
  const given = (i: number) => opts.inputShapes?.[layer.tops[i]];
  if (layer.type === 'Input') {
    const shapes = messagesOf(sub(layer.msg, 'input_param')?.shape);
    layer.tops.forEach((top, i) => {
      const shape = given(i) ?? (shapes.length === 1 ? shapeOf(shapes[0]) : shapes[i] ? shapeOf(shapes[i]) : undefined);
      if (!shape) {
        diags.push(error('LPC4104', `Input layer \`${layer.name}\` gives no shape for top \`${top}\``, at, { hint: `add input_param { shape { dim: ... } } or --input-shape ${top}=N,C,H,W` }));
        return;
      }
      out.push({ caffeName: top, dtype: 'f32', shape, span: layer.topSpans[i] ?? at, data: { layerType: 'Input', layerName: layer.name, shapeFrom: given(i) ? '--input-shape' : 'input_param' } });
    });
    return out;
  }
  if (layer.type === 'DummyData') {
    const p = sub(layer.msg, 'dummy_data_param');
    const shapes = messagesOf(p?.shape);
    const [ns, cs, hs, ws] = ['num', 'channels', 'height', 'width'].map((f) => numbersOf(p?.[f]));
    layer.tops.forEach((top, i) => {
      const pick = (a: number[]) => (a.length === 1 ? a[0] : a[i]);
      const legacy = ns.length > 0 ? [pick(ns), pick(cs), pick(hs), pick(ws)] : undefined;
      const shape = given(i) ?? (shapes.length === 1 ? shapeOf(shapes[0]) : shapes[i] ? shapeOf(shapes[i]) : legacy);
      if (!shape || shape.some((d) => d === undefined)) {
        diags.push(error('LPC4104', `DummyData layer \`${layer.name}\` gives no shape for top \`${top}\``, at));
        return;
      }
      out.push({ caffeName: top, dtype: 'f32', shape, span: layer.topSpans[i] ?? at, data: { layerType: 'DummyData', layerName: layer.name, shapeFrom: 'dummy_data_param' } });
    });
    return out;
  }
  const p = sub(layer.msg, PARAM_FIELD[layer.type] ?? '');
  const batch = num(p, 'batch_size') ?? (layer.type === 'ImageData' ? 1 : undefined);
  layer.tops.forEach((top, i) => {
    const userShape = given(i);
    if (i === 1 && !userShape && layer.type !== 'HDF5Data') {
      if (batch === undefined) return; // reported with the data top
      out.push({ caffeName: top, dtype: 'i32', shape: [batch], span: layer.topSpans[i] ?? at });
      return;
    }
    if (userShape) {
      out.push({ caffeName: top, dtype: i === 1 ? 'i32' : 'f32', shape: userShape, span: layer.topSpans[i] ?? at, data: dataInfo(layer, p, '--input-shape') });
      return;
    }
    const found = dataShape(layer, p, batch, diags);
    if (found) out.push({ caffeName: top, dtype: 'f32', shape: found.shape, span: layer.topSpans[i] ?? at, data: dataInfo(layer, p, found.from) });
  });
  return out;
}

function dataShape(layer: CaffeLayer, p: CaffeMessage | undefined, batch: number | undefined, diags: Diagnostic[]): { shape: number[]; from: string } | undefined {
  const at = layer.typeSpan ?? layer.span;
  const top = layer.tops[0];
  const hint = `give the shape: lpc import --input-shape ${top}=N,C,H,W`;
  if (batch === undefined) {
    diags.push(error('LPC4104', `${layer.type} layer \`${layer.name}\` has no batch_size, so the shape of \`${top}\` is unknown`, at, { hint }));
    return undefined;
  }
  if (layer.type === 'MemoryData') {
    const c = num(p, 'channels');
    const h = num(p, 'height');
    const w = num(p, 'width');
    if (c !== undefined && h !== undefined && w !== undefined) return { shape: [batch, c, h, w], from: 'memory_data_param' };
  }
  const t = sub(layer.msg, 'transform_param');
  const crop = num(t, 'crop_size') || num(p, 'crop_size') || undefined;
  if (layer.type === 'ImageData') {
    const c = (bool(p, 'is_color') ?? true) ? 3 : 1;
    const h = crop ?? num(p, 'new_height');
    const w = crop ?? num(p, 'new_width');
    if (h && w) return { shape: [batch, c, h, w], from: crop ? 'crop_size and is_color' : 'new_height/new_width and is_color' };
  }
  const source = `${str(p, 'source') ?? ''} ${layer.name} ${top}`;
  const known = KNOWN_DATA_SETS.find((k) => k.pattern.test(source));
  if (known) {
    const shape = [batch, ...known.chw(crop)];
    diags.push(
      warning('LPC4105', `shape of \`${top}\` guessed as [${shape.join(', ')}] (${known.name}${crop ? `, crop_size ${crop}` : ''}): the ${layer.type} layer does not say`, at, { hint }),
    );
    return { shape, from: `guessed from the data source (${known.name})` };
  }
  diags.push(error('LPC4104', `the shape of \`${top}\` from ${layer.type} layer \`${layer.name}\` is unknown (the data is read at run time)`, at, { hint }));
  return undefined;
}
