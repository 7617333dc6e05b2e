import type { LayerRow } from '../../runtime/quantize/compare-layers.js';
import { percentileLabel, shortNumber } from '../../runtime/quantize/select-bits.js';

/**
 * The table `lpc quantize` prints after evaluating: per layer output, the type it got and from
 * which statistic, its sparsity in the float and in the fixed-point net, and the share of its
 * values the type saturated; then the same for the quantized parameters.
 */

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`);

function why(r: LayerRow): string {
  const d = r.decision;
  if (!d) return r.type === 'f32' ? '' : 'inherited';
  if (d.how === 'kept') return 'kept (declared)';
  if (d.how === 'kept-f32') return 'kept f32 (logits)';
  if (d.how === 'same-as-weights') return 'the weights\' (--bias same)';
  const c = d.choice;
  if (!c) return '';
  return `max|x| ${shortNumber(c.maxAbs)}, ${percentileLabel(c.percentile)} ${shortNumber(c.percentileValue)}${c.clipped ? ' (clipped)' : ''}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

export function layerTable(rows: readonly LayerRow[]): string[] {
  const header = ['op', 'type', 'chosen from', 'zeros (float)', 'zeros (fixed)', 'saturated'];
  const line = (name: string, r: LayerRow) => [name, r.op, r.type, why(r), pct(r.floatSparsity), pct(r.fixedSparsity), pct(r.saturation)];
  const out: string[] = [];
  const acts = rows.filter((r) => r.kind === 'activation');
  const params = rows.filter((r) => r.kind === 'param');
  if (acts.length > 0) {
    out.push('layer outputs:');
    out.push(...table([['layer', ...header], ...acts.map((r) => line(r.layer, r))]).map((l) => `  ${l}`));
  }
  if (params.length > 0) {
    out.push('parameters:');
    out.push(...table([['parameter', ...header], ...params.map((r) => line(r.tensor, r))]).map((l) => `  ${l}`));
  }
  return out;
}
