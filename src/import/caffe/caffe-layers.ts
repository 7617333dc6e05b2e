import { error, warning, type Diagnostic } from '../../diag/diagnostic.js';
import type { Span } from '../../diag/span.js';
import { messagesOf, num, spanOf, str, stringsOf, type CaffeMessage } from './message.js';
import { upgradeV1Layer } from './upgrade-v1.js';

/**
 * The layers of a NetParameter as lpc sees them: V1 layers upgraded, the phase selected by
 * Caffe's include/exclude rules, each layer with the spans of its parts.
 */

export type Phase = 'TRAIN' | 'TEST';

export interface CaffeLayer {
  name: string;
  type: string;
  bottoms: string[];
  tops: string[];
  /** The V2 LayerParameter message (per-type sub-messages, param, blobs...). */
  msg: CaffeMessage;
  span?: Span;
  typeSpan?: Span;
  bottomSpans: (Span | undefined)[];
  topSpans: (Span | undefined)[];
  /** Position in the file's layer list (after the V1 upgrade), for stable ordering. */
  index: number;
}

/**
 * Caffe's NetStateRule check (net.cpp StateMeetsRule) for the state lpc builds: the chosen phase,
 * level 0 and no stages.
 */
function ruleMet(rule: CaffeMessage, phase: Phase): boolean {
  const p = str(rule, 'phase');
  if (p !== undefined && p !== phase) return false;
  const minLevel = num(rule, 'min_level');
  if (minLevel !== undefined && 0 < minLevel) return false;
  const maxLevel = num(rule, 'max_level');
  if (maxLevel !== undefined && 0 > maxLevel) return false;
  if (stringsOf(rule.stage).length > 0) return false; // the state has no stages
  return true; // not_stage: none of them can be in an empty stage list
}

export function layerInPhase(layer: CaffeMessage, phase: Phase): boolean {
  const include = messagesOf(layer.include);
  const exclude = messagesOf(layer.exclude);
  if (include.length > 0) return include.some((r) => ruleMet(r, phase));
  if (exclude.length > 0) return !exclude.some((r) => ruleMet(r, phase));
  return true;
}

/** Lists the net's layers (V2, or V1 upgraded) in file order, keeping those of `phase`. */
export function selectLayers(net: CaffeMessage, phase: Phase, diags: Diagnostic[]): CaffeLayer[] {
  const v2 = messagesOf(net.layer);
  const v1 = messagesOf(net.layers);
  if (v2.length > 0 && v1.length > 0) {
    diags.push(
      error('LPC4102', 'the net mixes V2 `layer` and V1 `layers` entries; Caffe rejects that', spanOf(net, 'layers'), {
        hint: 'use one form; lpc upgrades V1 `layers` to V2 by itself',
      }),
    );
  }
  const all = [...v2, ...v1.map(upgradeV1Layer)];
  const out: CaffeLayer[] = [];
  all.forEach((msg, index) => {
    for (const rule of [...messagesOf(msg.include), ...messagesOf(msg.exclude)]) {
      if (stringsOf(rule.stage).length + stringsOf(rule.not_stage).length > 0 || rule.min_level !== undefined || rule.max_level !== undefined) {
        diags.push(
          warning('LPC4111', 'this rule uses stages or levels; lpc builds the net with no stages and level 0', spanOf(rule) ?? spanOf(msg), {
            hint: 'only `phase` is meant to select layers in lpc',
          }),
        );
      }
    }
    if (!layerInPhase(msg, phase)) return;
    const name = str(msg, 'name') ?? `layer${index}`;
    const type = str(msg, 'type') ?? '';
    const bottoms = stringsOf(msg.bottom);
    const tops = stringsOf(msg.top);
    out.push({
      name,
      type,
      bottoms,
      tops,
      msg,
      span: spanOf(msg),
      typeSpan: spanOf(msg, 'type'),
      bottomSpans: bottoms.map((_, i) => spanOf(msg, 'bottom', i)),
      topSpans: tops.map((_, i) => spanOf(msg, 'top', i)),
      index,
    });
  });
  return out;
}
