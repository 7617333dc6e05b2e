import { error, warning, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../numeric/tensor.js';
import type { TypeAssignment } from '../../runtime/quantize/assign-types.js';
import { QUANTIZE_CODES } from '../../runtime/quantize/codes.js';
import { calibrate, evaluationBackend, measure, type BackendFactory, type Calibration, type Measurement } from '../../runtime/quantize/measure.js';
import { percentileLabel } from '../../runtime/quantize/select-bits.js';
import type { CliIO } from '../io.js';
import { printDiagnostics } from '../run/load-net.js';
import type { CommonQuantizeOptions } from './options.js';
import type { PreparedQuantize } from './prepare.js';

/**
 * The steps `lpc quantize` and `lpc sweep` run on a backend, each printing its progress on stderr
 * and its diagnostics: calibration of the base net, and the evaluation of a net on the test split.
 */

/** Progress on stderr: a line per step, and on a terminal the batch count redrawn in place. */
export function progressPrinter(io: CliIO, what: string): (done: number, total: number) => void {
  return (done, total) => {
    if (io.isTTY && io.rawErr) io.rawErr(`\r\x1b[2K${what}: batch ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

export async function runCalibration(p: PreparedQuantize, o: CommonQuantizeOptions, factory: BackendFactory, io: CliIO): Promise<{ calibration: Calibration; backend: string; device: string } | undefined> {
  if (!p.data || !p.weights) return undefined;
  const made = await evaluationBackend(p.session.base.graph, p.weights, o.seed, factory);
  printDiagnostics(p.reporter, made.diagnostics.filter((d) => d.severity !== 'error' || !made.backend));
  if (!made.backend) return undefined;
  const backend = made.backend;
  try {
    io.err(`calibrating on ${Math.min(p.data.train.count, o.calibBatches * p.net.batch)} training items (${o.calibBatches} batch${o.calibBatches === 1 ? '' : 'es'} of ${p.net.batch} at most) on ${backend.device}`);
    const r = await calibrate(backend, p.data.train, {
      batch: p.net.batch,
      batches: o.calibBatches,
      seed: o.seed,
      transform: p.transform,
      imageInput: p.net.imageInput,
      onBatch: progressPrinter(io, 'calibration'),
    });
    printDiagnostics(p.reporter, r.diagnostics);
    return r.calibration ? { calibration: r.calibration, backend: backend.name, device: backend.device } : undefined;
  } finally {
    await backend.dispose();
  }
}

/** Accuracy and layer statistics of `graph` with `weights` on the test split. */
export async function evaluateNet(graph: Graph, weights: ReadonlyMap<string, Tensor>, what: string, p: PreparedQuantize, o: CommonQuantizeOptions, factory: BackendFactory, io: CliIO): Promise<Measurement | undefined> {
  if (!p.data) return undefined;
  const made = await evaluationBackend(graph, weights, o.seed, factory);
  printDiagnostics(p.reporter, made.diagnostics.filter((d) => d.severity !== 'error' || !made.backend));
  if (!made.backend) return undefined;
  try {
    return await measure(made.backend, p.data.test, p.net.batch, p.transform, progressPrinter(io, `evaluating ${what}`));
  } finally {
    await made.backend.dispose();
  }
}

/** Errors for tensors without statistics, warnings for clipped choices. */
export function assignmentDiagnostics(a: TypeAssignment): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (a.missing.length > 0) {
    out.push(
      error(QUANTIZE_CODES.MISSING_STATS, `no calibration statistics for ${a.missing.slice(0, 5).join(', ')}${a.missing.length > 5 ? ` and ${a.missing.length - 5} more` : ''}`, undefined, {
        hint: 'the backend reported no statistics for these tensors; this is a bug, please report it with the net',
      }),
    );
  }
  for (const d of a.decisions) {
    if (!d.choice?.clipped) continue;
    out.push(
      warning(
        QUANTIZE_CODES.CLIPPED,
        `${d.layer} ${d.slot}: ${percentileLabel(d.choice.percentile)} of |x| is ${d.choice.percentileValue.toPrecision(3)}, beyond the ${d.choice.bits}-bit range even with ${d.choice.bits} integer bits; ${(100 * (1 - d.choice.covered)).toFixed(2)}% of its values saturate`,
        undefined,
        { hint: 'give it more bits, or accept the saturation' },
      ),
    );
  }
  return out;
}

/** Whether any tensor got a new type. */
export function quantizesAnything(a: TypeAssignment): boolean {
  return a.decisions.some((d) => d.how === 'chosen' || d.how === 'same-as-weights');
}

export function needsCalibrationError(tensors: readonly string[], missing: string[]): Diagnostic {
  return error(
    QUANTIZE_CODES.NEEDS_CALIBRATION,
    `${tensors.length} tensor${tensors.length === 1 ? ' needs' : 's need'} a type chosen from statistics (${tensors.slice(0, 3).join(', ')}${tensors.length > 3 ? ', ...' : ''}), but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
    undefined,
    { hint: 'give --weights float.lpw and --data fashion-mnist|DIR' },
  );
}
