import type { ReportChart } from './charts.js';
import type { SweepReport } from './report-data.js';

/**
 * report.html: one self-contained page (inline CSS, the charts as inline SVG, the report data as
 * inline JSON); it loads nothing, so it opens from disk, offline, and can be mailed or archived as
 * one file. Each chart sits in `<figure class="chart" id="chart-ID">`.
 */

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(2)}%`);

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.grid { display: flex; flex-wrap: wrap; gap: 1em; } figure.chart { margin: 0.5em 0; } .note { color: #666; }
`;

function accuracyTable(r: SweepReport): string {
  const head = ['bits', ...r.configs.flatMap((c) => [c, ...(r.settings.finetuneSteps > 0 ? [`${c}, fine-tuned`] : [])])];
  const rows = r.widths.map((bits) => {
    const cells = r.configs.flatMap((c) => {
      const p = r.points.find((q) => q.config === c && q.bits === bits);
      return [pct(p?.accuracy), ...(r.settings.finetuneSteps > 0 ? [pct(p?.finetunedAccuracy)] : [])];
    });
    return `<tr><td>${bits}</td>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}<tr><td>float</td><td colspan="${head.length - 1}">${pct(r.float.accuracy)}</td></tr></tbody></table>`;
}

function figures(charts: readonly ReportChart[], svgs: ReadonlyMap<string, string>, section: ReportChart['section']): string {
  return charts
    .filter((c) => c.section === section)
    .map((c) => `<figure class="chart" id="chart-${escapeHtml(c.id)}">${svgs.get(c.id) ?? '<p class="note">(this chart could not be drawn)</p>'}</figure>`)
    .join('\n');
}

export function reportHtml(r: SweepReport, charts: readonly ReportChart[], svgs: ReadonlyMap<string, string>): string {
  const s = r.settings;
  const policy = [
    `types hold p${Number((100 * s.percentile).toPrecision(10))} of |x| over ${r.data.calibrationItems} training items`,
    `biases: ${s.bias === 'same' ? "the weights' types" : 'own types'}`,
    `input ${s.keepInputF32 ? 'f32' : 'quantized'}`,
    `logits ${s.keepLogitsF32 ? 'f32' : 'quantized'}`,
    ...(s.keepTypes ? ['declared types kept'] : []),
    ...(s.finetuneSteps > 0 ? [`fine-tuned ${s.finetuneSteps} steps per point`] : []),
  ].join('; ');
  // The JSON sits in a script element: `<` is escaped so no `</script>` can end it early.
  const data = JSON.stringify(r).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>lpc sweep: ${escapeHtml(r.net.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Fixed-point sweep of ${escapeHtml(r.net.name)}</h1>
<p>${escapeHtml(r.net.file)} on ${escapeHtml(r.data.name)} (${r.data.testItems} test items), ${escapeHtml(r.backend.device)}. ${escapeHtml(policy)}. Written by lpc ${escapeHtml(r.lpcVersion)} on ${escapeHtml(r.created)}.</p>
<h2>Accuracy</h2>
${accuracyTable(r)}
${figures(charts, svgs, 'accuracy')}
<h2>Chosen types</h2>
<p class="note">Each cell is I.F of the fixed&lt;I, F&gt; chosen for a tensor at a width: the smallest I whose largest value holds the percentile.</p>
<div class="grid">${figures(charts, svgs, 'types')}</div>
<h2>Sparsity and saturation at ${r.focusBits} bits</h2>
<div class="grid">${figures(charts, svgs, 'layers')}</div>
<h2>Histograms of |x| (calibration)</h2>
<p class="note">Octaves of |x| on a log axis; the green band is what the type at ${r.focusBits} bits represents, from 2^-F to its largest value (smaller magnitudes round to 0, larger ones saturate).</p>
<div class="grid">${figures(charts, svgs, 'histograms')}</div>
<script type="application/json" id="lpc-report">${data}</script>
</body>
</html>
`;
}
