import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { error } from '../../diag/diagnostic.js';
import type { TypeAssignment } from '../../runtime/quantize/assign-types.js';
import { QUANTIZE_CODES } from '../../runtime/quantize/codes.js';
import { compareLayers } from '../../runtime/quantize/compare-layers.js';
import type { Calibration } from '../../runtime/quantize/measure.js';
import type { SweepConfig } from '../../runtime/quantize/policy.js';
import { statsLookup } from '../../runtime/quantize/quantize-session.js';
import { renameWeights } from '../../runtime/quantize/rewrite-net.js';
import { writeFileAtomic } from '../../runtime/io/atomic-write.js';
import type { CliIO } from '../io.js';
import { fromCwd, hasErrors, printDiagnostics } from '../run/load-net.js';
import { reportCharts } from '../report/charts.js';
import { focusWidth, layerEntries, tensorHistograms, type SweepPoint, type SweepReport } from '../report/report-data.js';
import { reportHtml } from '../report/report-html.js';
import { renderCharts } from '../report/render-svg.js';
import { version } from '../version.js';
import { chooseBackend } from './backend-choice.js';
import { finetune } from './finetune.js';
import { policyOf, type CommonQuantizeOptions } from './options.js';
import { prepareQuantize } from './prepare.js';
import { quantizedHeader } from './quantize-run.js';
import { assignmentDiagnostics, evaluateNet, runCalibration } from './steps.js';

/**
 * `lpc sweep`: calibrates once, then for every configuration (weights only, weights and
 * activations) and width quantizes the net, evaluates it (and optionally fine-tunes it briefly),
 * and writes report/report.json, report/report.html (charts drawn with Vega-Lite, inlined as SVG)
 * and the quantized nets under report/nets/.
 */

export interface SweepCliOptions extends CommonQuantizeOptions {
  output: string;
  bits: number[];
  configs: SweepConfig[];
  finetuneSteps: number;
}

const acc = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(2)}%`);

export async function runSweepCommand(file: string, o: SweepCliOptions, io: CliIO): Promise<number> {
  const outDir = fromCwd(io, o.output);
  const p = await prepareQuantize(file, o, io, join(o.output, 'nets', 'net.lpnet'));
  if (!p) return 1;
  const { reporter, session } = p;
  if (!p.data || !p.weights) {
    const missing = [...(p.weights ? [] : ['--weights']), ...(p.data ? [] : ['--data'])];
    printDiagnostics(reporter, [
      error(QUANTIZE_CODES.NEEDS_CALIBRATION, `lpc sweep calibrates the net and evaluates every point, but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing`, undefined, {
        hint: 'give --weights float.lpw and --data fashion-mnist|DIR',
      }),
    ]);
    return 1;
  }
  const chosen = chooseBackend(o.backend);
  printDiagnostics(reporter, chosen.diagnostics);
  if (!chosen.factory) return 1;
  const factory = chosen.factory;
  try {
    mkdirSync(join(outDir, 'nets'), { recursive: true });
  } catch (e) {
    printDiagnostics(reporter, [error(QUANTIZE_CODES.WRITE_FAILED, `cannot create the report folder '${o.output}': ${e instanceof Error ? e.message : String(e)}`)]);
    return 1;
  }

  const calibrated = await runCalibration(p, o, factory, io);
  if (!calibrated) return 1;
  const calibration: Calibration = calibrated.calibration;
  const lookup = statsLookup(calibration.stats);
  const float = await evaluateNet(session.float.graph, p.weights, 'the float net', p, o, factory, io);
  if (!float) return 1;
  io.err(`float net: test accuracy ${acc(float.score.accuracy)}`);

  const points: SweepPoint[] = [];
  const focus = focusWidth(o.bits);
  let focusAssignment: TypeAssignment | undefined;
  for (const config of o.configs) {
    for (const bits of o.bits) {
      const policy = policyOf(o, bits, bits, config === 'weights+acts');
      const assignment = session.assign(policy, lookup);
      const ad = assignmentDiagnostics(assignment);
      printDiagnostics(reporter, ad);
      if (hasErrors(ad)) return 1;
      const written = await session.write(assignment, quantizedHeader(file, session.source.name, o, policy, calibration, assignment));
      printDiagnostics(reporter, written.diagnostics);
      if (!written.net) return 1;
      const q = written.net;
      const netFile = join('nets', `${config}-${bits}.lpnet`);
      const wd = writeFileAtomic(join(outDir, netFile), q.text);
      if (wd) {
        printDiagnostics(reporter, [wd]);
        return 1;
      }
      const weights = renameWeights(session.base.graph, q.graph, q.names, p.weights);
      const label = `${config} at ${bits} bits`;
      const m = await evaluateNet(q.graph, weights, label, p, o, factory, io);
      if (!m) return 1;
      const point: SweepPoint = { config, bits, accuracy: m.score.accuracy, loss: m.score.loss, net: netFile, layers: layerEntries(compareLayers(assignment, float.stats, m.stats)) };
      if (o.finetuneSteps > 0) {
        const tuned = await finetune(q.graph, weights, o.finetuneSteps, label, p, o, factory, io);
        if (tuned) point.finetunedAccuracy = tuned.accuracy;
      }
      io.err(`${label}: test accuracy ${acc(point.accuracy)}${point.finetunedAccuracy !== undefined ? `, fine-tuned ${acc(point.finetunedAccuracy)}` : ''}`);
      points.push(point);
      if (bits === focus && (config === 'weights+acts' || !focusAssignment)) focusAssignment = assignment;
    }
  }

  const report: SweepReport = {
    format: 1,
    lpcVersion: version,
    created: new Date().toISOString(),
    net: { file, name: session.source.name },
    data: { name: p.data.name, testItems: p.data.test.count, calibrationItems: calibration.items },
    backend: { name: calibrated.backend, device: calibrated.device },
    settings: {
      percentile: o.percentile,
      bias: o.bias,
      keepInputF32: o.keepInputF32,
      keepLogitsF32: o.keepLogitsF32,
      keepTypes: o.keepTypes,
      calibBatches: o.calibBatches,
      finetuneSteps: o.finetuneSteps,
    },
    float: { accuracy: float.score.accuracy, loss: float.score.loss },
    widths: o.bits,
    configs: o.configs,
    focusBits: focus,
    points,
    histograms: tensorHistograms(calibration.stats, focusAssignment),
  };
  return (await writeReport(report, outDir, o.output, reporter, io)) ? printSummary(report, o.output, io) : 1;
}

async function writeReport(report: SweepReport, outDir: string, shown: string, reporter: Parameters<typeof printDiagnostics>[0], io: CliIO): Promise<boolean> {
  const charts = reportCharts(report);
  const { svgs, failed } = await renderCharts(charts);
  if (failed.length > 0) {
    printDiagnostics(reporter, failed.map((f) => error(QUANTIZE_CODES.REPORT_FAILED, `the chart '${f.id}' could not be drawn: ${f.why}`)));
    return false;
  }
  for (const [name, text] of [
    ['report.json', `${JSON.stringify(report, null, 1)}\n`],
    ['report.html', reportHtml(report, charts, svgs)],
  ] as const) {
    const d = writeFileAtomic(join(outDir, name), text);
    if (d) {
      printDiagnostics(reporter, [d]);
      return false;
    }
  }
  io.err(`wrote ${join(shown, 'report.html')} (${charts.length} charts), ${join(shown, 'report.json')} and ${report.points.length} nets in ${join(shown, 'nets')}`);
  return true;
}

function printSummary(r: SweepReport, shown: string, io: CliIO): number {
  const tuned = r.settings.finetuneSteps > 0;
  const head = ['bits', ...r.configs.flatMap((c) => [c, ...(tuned ? [`${c} (fine-tuned)`] : [])])];
  const rows = r.widths.map((bits) => [
    String(bits),
    ...r.configs.flatMap((c) => {
      const p = r.points.find((q) => q.config === c && q.bits === bits);
      return [acc(p?.accuracy), ...(tuned ? [acc(p?.finetunedAccuracy)] : [])];
    }),
  ]);
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  io.out(`test accuracy of ${r.net.name} (float ${acc(r.float.accuracy)}), report in ${join(shown, 'report.html')}:`);
  for (const row of all) io.out(`  ${row.map((c, i) => c.padStart(widths[i])).join('  ')}`);
  return 0;
}
