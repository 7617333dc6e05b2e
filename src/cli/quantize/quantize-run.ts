import { warning, type Diagnostic } from '../../diag/diagnostic.js';
import type { TypeAssignment } from '../../runtime/quantize/assign-types.js';
import { QUANTIZE_CODES } from '../../runtime/quantize/codes.js';
import { compareLayers } from '../../runtime/quantize/compare-layers.js';
import type { Calibration } from '../../runtime/quantize/measure.js';
import type { QuantizePolicy } from '../../runtime/quantize/policy.js';
import { statsLookup } from '../../runtime/quantize/quantize-session.js';
import { renameWeights } from '../../runtime/quantize/rewrite-net.js';
import { percentileLabel } from '../../runtime/quantize/select-bits.js';
import { writeFileAtomic } from '../../runtime/io/atomic-write.js';
import { writeLpwFile } from '../../runtime/weights/lpw-write.js';
import { storedMasters } from '../../runtime/weights/match-weights.js';
import type { CliIO } from '../io.js';
import { fromCwd, hasErrors, printDiagnostics } from '../run/load-net.js';
import { chooseBackend } from './backend-choice.js';
import { layerTable } from './layer-table.js';
import { policyOf, type CommonQuantizeOptions } from './options.js';
import { prepareQuantize } from './prepare.js';
import { assignmentDiagnostics, evaluateNet, needsCalibrationError, quantizesAnything, runCalibration } from './steps.js';

/**
 * `lpc quantize`: calibrates a float net, writes it with one explicit fixed-point type per
 * tensor (each commented with the statistic that chose it) and its weights under the written
 * net's names, then evaluates the float and the quantized net on the test split and prints the
 * accuracy drop and the per-layer sparsity and saturation.
 */

export interface QuantizeCliOptions extends CommonQuantizeOptions {
  output: string;
  bits: number;
  weightBits?: number;
  actBits?: number;
  weightsOnly: boolean;
  weightsOut?: string;
  eval: boolean;
}

/** The comment at the top of the written net: where it came from and how its types were chosen. */
export function quantizedHeader(
  file: string,
  netName: string,
  o: { weights?: string; data?: string },
  policy: QuantizePolicy,
  calibration: Calibration | undefined,
  assignment: TypeAssignment,
): string[] {
  const bias = policy.bias === 'same' ? 'biases in their weights\' types' : 'biases in their own types';
  const acts = policy.activations
    ? `${policy.actBits}-bit activations; input ${policy.keepInputF32 ? 'kept f32' : 'quantized'}, logits ${policy.keepLogitsF32 ? 'kept f32' : 'quantized'}`
    : 'activations (input and logits included) kept f32';
  const lines = [`Quantized by \`lpc quantize\` from ${file} (net ${netName})${o.weights ? ` with the weights ${o.weights}` : ''}:`];
  if (quantizesAnything(assignment)) lines.push(`${policy.weightBits}-bit weights, ${bias}, ${acts}.`);
  if (calibration) {
    lines.push(`Each type is the smallest I (sign included) whose largest value holds ${percentileLabel(policy.percentile)} of |x| over ${calibration.items} training items of ${o.data ?? 'the data'}; the statistic is in the comment before each layer.`);
  }
  if (policy.keepTypes) lines.push('Layers that declared types keep them (--keep-types).');
  return lines;
}

export function defaultWeightsOut(output: string): string {
  return `${output.replace(/\.lpnet$/, '')}.lpw`;
}

function clippedOrEmpty(a: TypeAssignment): Diagnostic[] {
  const ds = assignmentDiagnostics(a);
  if (!quantizesAnything(a)) {
    ds.push(warning(QUANTIZE_CODES.NOTHING_TO_QUANTIZE, 'no tensor got a new type: every one is kept as declared or excluded by the flags', undefined, { hint: 'drop --keep-types, or the --keep-input-f32 / --keep-logits-f32 flags' }));
  }
  return ds;
}

export async function runQuantizeCommand(file: string, o: QuantizeCliOptions, io: CliIO): Promise<number> {
  const policy = policyOf(o, o.weightBits ?? o.bits, o.actBits ?? o.bits, !o.weightsOnly);
  const p = await prepareQuantize(file, o, io, o.output);
  if (!p) return 1;
  const { reporter, session } = p;
  const pending = session.toCalibrate(policy);
  const wantEval = o.eval && p.data !== undefined && p.weights !== undefined;
  if (pending.length > 0 && (!p.data || !p.weights)) {
    printDiagnostics(reporter, [needsCalibrationError(pending, [...(p.weights ? [] : ['--weights']), ...(p.data ? [] : ['--data'])])]);
    return 1;
  }
  const chosen = pending.length > 0 || wantEval ? chooseBackend(o.backend) : { diagnostics: [] };
  printDiagnostics(reporter, chosen.diagnostics);
  if (hasErrors(chosen.diagnostics)) return 1;
  const factory = 'factory' in chosen ? chosen.factory : undefined;

  let calibration: Calibration | undefined;
  if (pending.length > 0 && factory) {
    const r = await runCalibration(p, o, factory, io);
    if (!r) return 1;
    calibration = r.calibration;
  }
  const assignment = session.assign(policy, statsLookup(calibration?.stats ?? []));
  const ad = clippedOrEmpty(assignment);
  printDiagnostics(reporter, ad);
  if (hasErrors(ad)) return 1;

  const header = quantizedHeader(file, session.source.name, o, policy, calibration, assignment);
  const written = await session.write(assignment, header);
  printDiagnostics(reporter, written.diagnostics);
  if (!written.net) return 1;
  const q = written.net;
  const failedWrite = writeFileAtomic(fromCwd(io, o.output), q.text);
  if (failedWrite) {
    printDiagnostics(reporter, [failedWrite]);
    return 1;
  }
  const outputs = [o.output];
  const qWeights = p.weights ? renameWeights(session.base.graph, q.graph, q.names, p.weights) : undefined;
  if (qWeights) {
    const path = o.weightsOut ?? defaultWeightsOut(o.output);
    const wd = writeLpwFile(fromCwd(io, path), { net: q.graph.name, tensors: storedMasters(q.graph, qWeights) });
    if (wd.length > 0) {
      printDiagnostics(reporter, wd);
      return 1;
    }
    outputs.push(path);
  }
  const typed = assignment.decisions.filter((d) => d.how === 'chosen' || d.how === 'same-as-weights').length;
  const kept = assignment.decisions.filter((d) => d.how === 'kept').length;
  io.out(`wrote ${outputs.join(' and ')}: ${typed} tensor${typed === 1 ? '' : 's'} typed, ${kept} kept as declared`);

  if (!wantEval || !factory || !p.weights || !qWeights) return 0;
  const float = await evaluateNet(session.float.graph, p.weights, 'the float net', p, o, factory, io);
  if (!float) return 1;
  const fixed = await evaluateNet(q.graph, qWeights, 'the quantized net', p, o, factory, io);
  if (!fixed) return 1;
  const drop = 100 * (float.score.accuracy - fixed.score.accuracy);
  const acc = (x: number) => `${(100 * x).toFixed(2)}%`;
  io.out(
    `test accuracy on ${fixed.score.counted} items: float ${acc(float.score.accuracy)}, quantized ${acc(fixed.score.accuracy)} (${drop >= 0 ? 'drop' : 'gain'} of ${Math.abs(drop).toFixed(2)} points)`,
  );
  for (const line of layerTable(compareLayers(assignment, float.stats, fixed.stats))) io.out(line);
  return 0;
}
