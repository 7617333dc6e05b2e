import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { ReportChart } from './charts.js';

/**
 * Vega-Lite -> Vega -> SVG, in Node: the view runs headless (renderer 'none') and serialises its
 * scene graph as SVG text, so the report needs no browser, no canvas and no network to be drawn,
 * and the page shows the charts as inline SVG.
 */
export async function renderChartSvg(chart: ReportChart): Promise<string> {
  const compiled = compile(chart.spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Every chart's SVG, by chart id; `failed` names the charts that could not be drawn, with why. */
export async function renderCharts(charts: readonly ReportChart[]): Promise<{ svgs: Map<string, string>; failed: { id: string; why: string }[] }> {
  const svgs = new Map<string, string>();
  const failed: { id: string; why: string }[] = [];
  for (const c of charts) {
    try {
      svgs.set(c.id, await renderChartSvg(c));
    } catch (e) {
      failed.push({ id: c.id, why: e instanceof Error ? e.message : String(e) });
    }
  }
  return { svgs, failed };
}
