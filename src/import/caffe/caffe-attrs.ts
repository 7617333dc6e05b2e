import { error, warning, type Diagnostic } from '../../diag/diagnostic.js';
import type { Span } from '../../diag/span.js';
import type { Attrs } from '../../ir/graph.js';
import { fixed, fixedTypeProblem, type FixedType } from '../../numeric/number-type.js';
import type { CaffeLayer } from './caffe-layers.js';
import { bool, messagesOf, num, numbersOf, spanOf, str, sub, type CaffeMessage } from './message.js';

/**
 * Conversions shared by several rows of the layer table: 2-D spatial settings (Caffe's
 * `kernel_size` / `kernel_h` + `kernel_w` forms), fillers, per-blob learning-rate multipliers and
 * ADaPTION's `lpfp_param` to a fixed-point type.
 */

export interface RowContext {
  layer: CaffeLayer;
  diags: Diagnostic[];
}

export function layerSpan(ctx: RowContext, msg?: CaffeMessage, field?: string): Span | undefined {
  return (msg && spanOf(msg, field)) ?? ctx.layer.typeSpan ?? ctx.layer.span;
}

/**
 * A [h, w] pair from a repeated field (`kernel_size: 3` or `kernel_size: 3 kernel_size: 5`) or its
 * `_h`/`_w` fields. Returns `fallback` when none is given, undefined (with a diagnostic) when the
 * setting is not 2-D.
 */
export function spatialPair(
  ctx: RowContext,
  msg: CaffeMessage,
  base: string,
  hName: string,
  wName: string,
  fallback: [number, number] | undefined,
): [number, number] | undefined {
  const values = numbersOf(msg[base]);
  const h = num(msg, hName);
  const w = num(msg, wName);
  if (h !== undefined || w !== undefined) {
    if (values.length > 0) {
      ctx.diags.push(error('LPC4103', `give either \`${base}\` or \`${hName}\`/\`${wName}\`, not both`, layerSpan(ctx, msg, hName)));
      return undefined;
    }
    const fh = h ?? fallback?.[0];
    const fw = w ?? fallback?.[1];
    if (fh === undefined || fw === undefined) {
      ctx.diags.push(error('LPC4103', `\`${hName}\` and \`${wName}\` must be given together`, layerSpan(ctx, msg, h === undefined ? wName : hName)));
      return undefined;
    }
    return [fh, fw];
  }
  if (values.length === 0) return fallback;
  if (values.length === 1) return [values[0], values[0]];
  if (values.length === 2) return [values[0], values[1]];
  ctx.diags.push(
    error('LPC4103', `\`${base}\` has ${values.length} values; lpc supports 2-D layers only (1 or 2 values)`, layerSpan(ctx, msg, base)),
  );
  return undefined;
}

const FILLERS = new Set(['gaussian', 'xavier', 'msra', 'constant', 'uniform']);

/** weight_filler -> weight_init / weight_std; bias_filler -> bias_value (lpc's attributes). */
export function fillerAttrs(ctx: RowContext, param: CaffeMessage, attrs: Attrs): void {
  const wf = sub(param, 'weight_filler');
  if (wf) {
    const kind = str(wf, 'type') ?? 'constant';
    const at = layerSpan(ctx, wf);
    if (!FILLERS.has(kind)) {
      ctx.diags.push(
        warning('LPC4103', `weight filler \`${kind}\` is not supported; using lpc's default (xavier)`, at, {
          hint: `supported fillers: ${[...FILLERS].join(', ')}`,
        }),
      );
    } else {
      attrs.weight_init = kind;
      if (kind === 'gaussian') attrs.weight_std = num(wf, 'std') ?? 1;
      if (kind === 'uniform') {
        const min = num(wf, 'min') ?? 0;
        const max = num(wf, 'max') ?? 1;
        if (min !== -max) ctx.diags.push(warning('LPC4103', `uniform filler [${min}, ${max}] is not symmetric; lpc uses ±${(max - min) / 2}`, at));
        attrs.weight_std = (max - min) / 2;
      }
      if (kind === 'constant' && (num(wf, 'value') ?? 0) !== 0) {
        ctx.diags.push(warning('LPC4103', 'a constant weight filler other than 0 is not supported; weights start at 0', at));
      }
      if (kind === 'gaussian' && (num(wf, 'mean') ?? 0) !== 0) {
        ctx.diags.push(warning('LPC4103', 'gaussian filler mean is ignored (lpc draws with mean 0)', at));
      }
      if ((kind === 'xavier' || kind === 'msra') && (str(wf, 'variance_norm') ?? 'FAN_IN') !== 'FAN_IN') {
        ctx.diags.push(warning('LPC4103', `variance_norm ${str(wf, 'variance_norm')} is not supported; lpc uses FAN_IN`, at));
      }
    }
  }
  const bf = sub(param, 'bias_filler');
  if (bf) {
    const kind = str(bf, 'type') ?? 'constant';
    if (kind === 'constant') attrs.bias_value = num(bf, 'value') ?? 0;
    else ctx.diags.push(warning('LPC4103', `bias filler \`${kind}\` is not supported; biases start at 0`, layerSpan(ctx, bf)));
  }
}

/** `param { lr_mult decay_mult }` per blob -> weight_lr_mult, bias_lr_mult, weight_decay_mult, bias_decay_mult. */
export function multAttrs(ctx: RowContext, attrs: Attrs): void {
  const params = messagesOf(ctx.layer.msg.param);
  const slots = ['weight', 'bias'];
  params.forEach((p, i) => {
    if (i >= slots.length) {
      ctx.diags.push(warning('LPC4103', `param #${i + 1} has no blob to apply to (the layer has ${slots.length})`, spanOf(p)));
      return;
    }
    const lr = num(p, 'lr_mult');
    const decay = num(p, 'decay_mult');
    if (lr !== undefined) attrs[`${slots[i]}_lr_mult`] = lr;
    if (decay !== undefined) attrs[`${slots[i]}_decay_mult`] = decay;
    if (str(p, 'name') !== undefined) ctx.diags.push(warning('LPC4103', 'shared parameters (`param { name }`) are not supported; each layer gets its own', spanOf(p, 'name')));
  });
}

export interface LowPrecision {
  type: FixedType;
  roundBias: boolean;
}

/** ADaPTION `lpfp_param { bd ad round_bias rounding_scheme }` -> fixed<bd, ad, round>. */
export function lowPrecision(ctx: RowContext): LowPrecision | undefined {
  const lp = sub(ctx.layer.msg, 'lpfp_param');
  if (!lp) {
    ctx.diags.push(
      error('LPC4107', `${ctx.layer.type} layer \`${ctx.layer.name}\` has no lpfp_param { bd ad }`, layerSpan(ctx), {
        hint: 'add `lpfp_param { bd: 2 ad: 6 }` (bd integer bits including the sign, ad fraction bits)',
      }),
    );
    return undefined;
  }
  const bd = num(lp, 'bd') ?? 0;
  const ad = num(lp, 'ad') ?? 0;
  const problem = fixedTypeProblem(bd, ad);
  if (problem) {
    ctx.diags.push(error('LPC4107', `lpfp_param bd: ${bd} ad: ${ad} is not a legal fixed<${bd}, ${ad}>: ${problem}`, spanOf(lp) ?? layerSpan(ctx)));
    return undefined;
  }
  const scheme = str(lp, 'rounding_scheme') ?? 'DETERMINISTIC';
  return { type: fixed(bd, ad, scheme === 'STOCHASTIC' ? 'stochastic' : 'nearest'), roundBias: bool(lp, 'round_bias') ?? false };
}
