import type { TopLevelSpec } from 'vega-lite';
import type { LayerEntry, SweepPoint, SweepReport, TensorHistogram } from './report-data.js';

/**
 * The report's charts as Vega-Lite specifications, built from the report data alone (so the
 * same JSON always draws the same charts): accuracy against bit width, the chosen I.F per layer
 * and width, sparsity and saturation per layer at the focus width, and one histogram of |x| per
 * quantized tensor with its type's range marked.
 */

export interface ReportChart {
  /** Unique within the report; the HTML container's id is `chart-<id>`. */
  id: string;
  section: 'accuracy' | 'types' | 'layers' | 'histograms';
  spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const pct = (x: number | undefined) => (x === undefined ? undefined : Number((100 * x).toFixed(4)));

function tensorLabel(e: { layer: string; slot?: string; kind: string; tensor: string }): string {
  if (e.kind === 'param') return e.tensor;
  return e.slot === 'input' ? `${e.layer} (input)` : e.layer;
}

function accuracyChart(r: SweepReport): ReportChart {
  const series: { series: string; bits: number; accuracy: number }[] = [];
  for (const p of r.points) {
    series.push({ series: p.config, bits: p.bits, accuracy: pct(p.accuracy) ?? 0 });
    if (p.finetunedAccuracy !== undefined) series.push({ series: `${p.config}, fine-tuned`, bits: p.bits, accuracy: pct(p.finetunedAccuracy) ?? 0 });
  }
  const float = pct(r.float.accuracy) ?? 0;
  const lo = Math.min(...r.widths);
  const hi = Math.max(...r.widths);
  return {
    id: 'accuracy',
    section: 'accuracy',
    spec: {
      $schema: SCHEMA,
      title: `Test accuracy of ${r.net.name} against bit width`,
      width: 560,
      height: 300,
      layer: [
        {
          data: { values: series },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'bits', type: 'quantitative', title: 'bit width', scale: { domain: [lo, hi], nice: false }, axis: { values: r.widths, format: 'd' } },
            y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: false } },
            color: { field: 'series', type: 'nominal', title: 'configuration' },
          },
        },
        {
          data: { values: [{ accuracy: float, label: `float ${float.toFixed(2)}%` }] },
          mark: { type: 'rule', strokeDash: [6, 4], color: '#555' },
          encoding: { y: { field: 'accuracy', type: 'quantitative' } },
        },
        {
          data: { values: [{ accuracy: float, label: `float ${float.toFixed(2)}%` }] },
          mark: { type: 'text', align: 'left', x: 4, dy: -7, color: '#555' },
          encoding: { y: { field: 'accuracy', type: 'quantitative' }, text: { field: 'label', type: 'nominal' } },
        },
      ],
    },
  };
}

function typesChart(r: SweepReport, config: string): ReportChart | undefined {
  const rows: { tensor: string; bits: number; intBits: number; label: string }[] = [];
  const order: string[] = [];
  for (const p of r.points.filter((q) => q.config === config)) {
    for (const e of p.layers) {
      if (e.intBits === undefined || e.fracBits === undefined || e.how === 'kept-f32') continue;
      const tensor = `${tensorLabel(e)}${e.kind === 'activation' ? ' (output)' : ''}`;
      if (!order.includes(tensor)) order.push(tensor);
      rows.push({ tensor, bits: p.bits, intBits: e.intBits, label: `${e.intBits}.${e.fracBits}` });
    }
  }
  if (rows.length === 0) return undefined;
  return {
    id: `types-${config.replace(/[^a-z]+/g, '-')}`,
    section: 'types',
    spec: {
      $schema: SCHEMA,
      title: `Chosen fixed<I, F> per tensor (${config}), shown as I.F`,
      data: { values: rows },
      width: { step: 38 },
      height: { step: 18 },
      encoding: {
        x: { field: 'bits', type: 'ordinal', title: 'bit width' },
        y: { field: 'tensor', type: 'nominal', sort: order, title: null },
      },
      layer: [
        { mark: 'rect', encoding: { color: { field: 'intBits', type: 'quantitative', title: 'integer bits I', scale: { scheme: 'blues' } } } },
        { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'label', type: 'nominal' }, color: { value: '#111' } } },
      ],
    },
  };
}

/** The point the per-layer charts show: the focus width, with activations quantized when that was swept. */
export function focusPoint(r: SweepReport): SweepPoint | undefined {
  const atFocus = r.points.filter((p) => p.bits === r.focusBits);
  return atFocus.find((p) => p.config === 'weights+acts') ?? atFocus[0];
}

function sparsityChart(r: SweepReport, p: SweepPoint): ReportChart | undefined {
  const acts = p.layers.filter((e) => e.kind === 'activation' && e.floatSparsity !== undefined && e.fixedSparsity !== undefined);
  if (acts.length === 0) return undefined;
  const values = acts.flatMap((e: LayerEntry) => [
    { layer: e.layer, net: 'float', sparsity: pct(e.floatSparsity) },
    { layer: e.layer, net: `${p.bits}-bit (${p.config})`, sparsity: pct(e.fixedSparsity) },
  ]);
  return {
    id: 'sparsity',
    section: 'layers',
    spec: {
      $schema: SCHEMA,
      title: `Activation sparsity (share of exact zeros) per layer, float and ${p.bits}-bit`,
      data: { values },
      width: { step: 16 },
      height: 240,
      mark: 'bar',
      encoding: {
        x: { field: 'layer', type: 'nominal', sort: acts.map((e) => e.layer), title: null, axis: { labelAngle: -40 } },
        xOffset: { field: 'net', type: 'nominal' },
        y: { field: 'sparsity', type: 'quantitative', title: 'zeros (%)' },
        color: { field: 'net', type: 'nominal', title: null },
      },
    },
  };
}

function saturationChart(r: SweepReport, p: SweepPoint): ReportChart | undefined {
  const typed = p.layers.filter((e) => e.saturation !== undefined);
  if (typed.length === 0) return undefined;
  const values = typed.map((e) => ({ tensor: tensorLabel(e), kind: e.kind === 'param' ? 'parameter' : 'layer output', saturation: pct(e.saturation), type: e.type }));
  return {
    id: 'saturation',
    section: 'layers',
    spec: {
      $schema: SCHEMA,
      title: `Saturated values per tensor at ${p.bits} bits (${p.config})`,
      data: { values },
      width: { step: 16 },
      height: 200,
      mark: 'bar',
      encoding: {
        x: { field: 'tensor', type: 'nominal', sort: values.map((v) => v.tensor), title: null, axis: { labelAngle: -40 } },
        y: { field: 'saturation', type: 'quantitative', title: 'saturated (%)', scale: { domainMin: 0 } },
        color: { field: 'kind', type: 'nominal', title: null },
        tooltip: [{ field: 'tensor' }, { field: 'type' }, { field: 'saturation' }],
      },
    },
  };
}

function histogramChart(h: TensorHistogram, index: number, focusBits: number): ReportChart {
  // The lowest octave starts at 0, which a log axis cannot show: draw it from half its top.
  const bins = h.bins.map((b) => ({ lower: b.lower > 0 ? b.lower : b.upper / 2, upper: b.upper, count: b.count }));
  const zeros = h.count > 0 ? ` zeros ${((100 * h.zeros) / h.count).toFixed(1)}%` : '';
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [];
  const x = { field: 'lower', type: 'quantitative' as const, title: '|x|', scale: { type: 'log' as const, base: 2 }, axis: { tickCount: 6, labelExpr: "'2^' + format(round(log(datum.value) / log(2)), 'd')" } };
  if (h.range) {
    layers.push({
      data: { values: [h.range] },
      mark: { type: 'rect', color: '#d7efd7' },
      encoding: { x: { ...x, field: 'smallest' }, x2: { field: 'largest' } },
    });
  }
  layers.push({
    data: { values: bins },
    mark: { type: 'rect', color: '#4c78a8', stroke: 'white', strokeWidth: 0.5 },
    encoding: { x, x2: { field: 'upper' }, y: { field: 'count', type: 'quantitative', title: 'elements' } },
  });
  if (h.range) {
    layers.push({
      data: { values: [{ at: h.range.smallest }, { at: h.range.largest }] },
      mark: { type: 'rule', color: '#2e8b57', strokeWidth: 1.5 },
      encoding: { x: { ...x, field: 'at' } },
    });
  }
  return {
    id: `hist-${index}`,
    section: 'histograms',
    spec: {
      $schema: SCHEMA,
      title: { text: h.kind === 'param' ? h.tensor : `${h.layer} (${h.kind === 'input' ? 'input' : 'output'})`, subtitle: `${h.range ? `${h.range.type} at ${focusBits} bits,` : ''} max |x| ${Number(h.maxAbs.toPrecision(3))},${zeros}` },
      width: 300,
      height: 130,
      layer: layers,
    },
  };
}

export function reportCharts(r: SweepReport): ReportChart[] {
  const charts: ReportChart[] = [accuracyChart(r)];
  for (const c of r.configs) {
    const t = typesChart(r, c);
    if (t) charts.push(t);
  }
  const p = focusPoint(r);
  if (p) {
    const s = sparsityChart(r, p);
    if (s) charts.push(s);
    const sat = saturationChart(r, p);
    if (sat) charts.push(sat);
  }
  r.histograms.forEach((h, i) => charts.push(histogramChart(h, i, r.focusBits)));
  return charts;
}
