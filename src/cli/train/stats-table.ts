import { DEFAULT_STATS_PERCENTILE, saturation, sparsity, suggestFixed, type TensorStats } from '../../runtime/train/layer-stats.js';

/**
 * The per-layer statistics table of `lpc train` and `lpc eval` (SEMANTICS.md section 6): for each
 * layer's output, then each parameter, the share of exact zeros, of saturated values, NaN and
 * infinite counts, the range, and the fixed<I, F> of a given width that holds the chosen
 * percentile of |x| (the tensor's own width when it is fixed-point).
 */

export interface StatsTableOptions {
  /** Width for the suggestion of f32 tensors. */
  width: number;
  percentile?: number;
}

const num = (x: number) => (!Number.isFinite(x) ? '-' : x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(4));
const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;

function widthOfType(type: string): number | undefined {
  const m = /^fixed<(\d+), (\d+)/.exec(type);
  return m ? Number(m[1]) + Number(m[2]) : undefined;
}

function suggestion(s: TensorStats, o: StatsTableOptions): string {
  const width = widthOfType(s.type) ?? o.width;
  const r = suggestFixed(s, width, o.percentile ?? DEFAULT_STATS_PERCENTILE);
  if (!r) return '-';
  const short = r.covered < (o.percentile ?? DEFAULT_STATS_PERCENTILE) ? ` (only ${pct(r.covered)} fit)` : '';
  return `fixed<${r.intBits}, ${r.fracBits}>${short}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

export function statsTable(stats: readonly TensorStats[], o: StatsTableOptions): string[] {
  const p = o.percentile ?? DEFAULT_STATS_PERCENTILE;
  const header = ['', 'op', 'type', 'zeros', 'saturated', 'nan', 'inf', 'min', 'max', 'max|x|', `suggested (${pct(p)} of |x|)`];
  const row = (name: string, s: TensorStats) => [
    name,
    s.op,
    s.type,
    pct(sparsity(s)),
    s.type === 'f32' ? '-' : pct(saturation(s)),
    String(s.nan),
    String(s.infinite),
    num(s.min),
    num(s.max),
    num(s.maxAbs),
    suggestion(s, o),
  ];
  const acts = stats.filter((s) => s.kind === 'activation');
  const params = stats.filter((s) => s.kind === 'param');
  const out: string[] = [];
  if (acts.length > 0) {
    out.push('layer outputs:');
    out.push(...table([['layer', ...header.slice(1)], ...acts.map((s) => row(s.layer, s))]).map((l) => `  ${l}`));
  }
  if (params.length > 0) {
    out.push('parameters (as the net uses them: rounded to their type):');
    out.push(...table([['parameter', ...header.slice(1)], ...params.map((s) => row(s.tensor, s))]).map((l) => `  ${l}`));
  }
  return out;
}
