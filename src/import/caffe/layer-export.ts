import type { Attrs, Node as IrNode } from '../../ir/graph.js';
import { isFixed, type NumberType } from '../../numeric/number-type.js';
import type { CaffeMessage } from './message.js';

/**
 * The export half of the layer table's conv, dense and pooling rows: lpc attributes back to
 * Caffe's parameter messages (square sizes as one value, others as `_h`/`_w`), fillers and
 * per-blob multipliers, and ADaPTION's lpfp_param for a fixed-point type.
 */

export interface ExportedLayer {
  type: string;
  /** Extra LayerParameter fields: `convolution_param`, `lpfp_param`, ... */
  fields: CaffeMessage;
}

export const hasFixedParams = (n: IrNode) => Boolean((n.types.weights && isFixed(n.types.weights)) || (n.types.bias && isFixed(n.types.bias)));

function fillerOut(attrs: Attrs, prefix: 'weight' | 'bias'): CaffeMessage | undefined {
  if (prefix === 'bias') return attrs.bias_value === undefined ? undefined : { type: 'constant', value: attrs.bias_value as number };
  const kind = attrs.weight_init as string | undefined;
  if (kind === undefined) return undefined;
  const f: CaffeMessage = { type: kind };
  if (kind === 'gaussian') f.std = attrs.weight_std as number;
  if (kind === 'uniform') {
    f.min = -(attrs.weight_std as number);
    f.max = attrs.weight_std as number;
  }
  return f;
}

export function paramSpecsOut(attrs: Attrs): CaffeMessage[] {
  const out: CaffeMessage[] = [{ lr_mult: (attrs.weight_lr_mult as number) ?? 1, decay_mult: (attrs.weight_decay_mult as number) ?? 1 }];
  if (attrs.bias_term !== false) out.push({ lr_mult: (attrs.bias_lr_mult as number) ?? 1, decay_mult: (attrs.bias_decay_mult as number) ?? 1 });
  return out;
}

function pairOut(v: unknown): number[] {
  const a = v as number[];
  return a[0] === a[1] ? [a[0]] : [a[0], a[1]];
}

export function convOut(n: IrNode): CaffeMessage {
  const a = n.attrs;
  const p: CaffeMessage = { num_output: a.filters as number, bias_term: a.bias_term !== false };
  const [kh, kw] = a.kernel as number[];
  if (kh === kw) p.kernel_size = [kh];
  else Object.assign(p, { kernel_h: kh, kernel_w: kw });
  const [sh, sw] = a.stride as number[];
  if (sh === sw) p.stride = [sh];
  else Object.assign(p, { stride_h: sh, stride_w: sw });
  const [ph, pw] = a.pad as number[];
  if (ph === pw) p.pad = [ph];
  else Object.assign(p, { pad_h: ph, pad_w: pw });
  p.dilation = pairOut(a.dilation);
  p.group = a.group as number;
  const wf = fillerOut(a, 'weight');
  if (wf) p.weight_filler = wf;
  const bf = fillerOut(a, 'bias');
  if (bf && a.bias_term !== false) p.bias_filler = bf;
  return p;
}

export function denseOut(n: IrNode): CaffeMessage {
  const a = n.attrs;
  const p: CaffeMessage = { num_output: a.units as number, bias_term: a.bias_term !== false, axis: a.axis as number, transpose: a.transpose === true };
  const wf = fillerOut(a, 'weight');
  if (wf) p.weight_filler = wf;
  const bf = fillerOut(a, 'bias');
  if (bf && a.bias_term !== false) p.bias_filler = bf;
  return p;
}

/** lpfp_param for a fixed-point type; the caller checks exportability (lpfpProblem). */
export function lpfpOut(t: NumberType, roundBias: boolean): CaffeMessage {
  if (!isFixed(t)) return {};
  return { bd: t.intBits, ad: t.fracBits, round_bias: roundBias, rounding_scheme: t.round === 'stochastic' ? 'STOCHASTIC' : 'DETERMINISTIC' };
}

export function poolOut(n: IrNode): ExportedLayer {
  const a = n.attrs;
  const p: CaffeMessage = { pool: n.op === 'max_pool' ? 'MAX' : 'AVE' };
  if (a.global === true) p.global_pooling = true;
  else {
    const [kh, kw] = a.kernel as number[];
    if (kh === kw) p.kernel_size = kh;
    else Object.assign(p, { kernel_h: kh, kernel_w: kw });
  }
  const [sh, sw] = a.stride as number[];
  if (sh === sw) p.stride = sh;
  else Object.assign(p, { stride_h: sh, stride_w: sw });
  const [ph, pw] = a.pad as number[];
  if (ph === pw) p.pad = ph;
  else Object.assign(p, { pad_h: ph, pad_w: pw });
  if (a.ceil_mode === false) p.round_mode = 'FLOOR';
  return { type: 'Pooling', fields: { pooling_param: p } };
}

