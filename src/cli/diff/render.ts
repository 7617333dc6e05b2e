import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { LayerReport } from '../../runtime/webgpu/layer-compare.js';
import { formatValue } from '../run/print-results.js';
import { DIFF_CODES } from './codes.js';

/**
 * How `lpc diff` shows a comparison: one row per layer (its largest difference judged on its own,
 * the largest code difference, the one-code flips the contract allows at rounding boundaries, and
 * the largest difference against the CPU's end-to-end run), then either "no divergence" or the
 * first layer and element beyond the contract as a diagnostic with both values and codes.
 */
function diffText(x: number | undefined): string {
  if (x === undefined) return '-';
  return x === 0 ? '0' : formatValue(Number(x.toPrecision(3)));
}

export function layerTable(reports: readonly LayerReport[]): string[] {
  const header = ['layer', 'fused', 'output', 'max |Δ|', 'max code Δ', 'boundary flips', 'end-to-end max |Δ|', 'result'];
  const rows = reports.map((r) => [
    r.node,
    r.fused,
    `${r.type}[${r.shape.join(', ')}]`,
    diffText(r.maxAbsDiff),
    r.maxCodeDiff === undefined ? '-' : String(r.maxCodeDiff),
    String(r.boundaryFlips),
    diffText(r.endToEndMaxAbsDiff),
    r.divergence ? 'DIVERGES' : 'ok',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The first divergence as a diagnostic, or undefined when every layer is within the contract. */
export function divergenceDiagnostic(reports: readonly LayerReport[]): Diagnostic | undefined {
  const r = reports.find((x) => x.divergence);
  const d = r?.divergence;
  if (!r || !d) return undefined;
  const code = (k: number | undefined) => (k === undefined ? '' : ` (code ${k})`);
  const notes = [
    { message: `webgpu: ${formatValue(d.gpu)}${code(d.gpuCode)}; cpu reference: ${formatValue(d.cpu)}${code(d.cpuCode)}` },
    { message: `contract: ${d.rule}` },
  ];
  if (d.preQuantization !== undefined) notes.push({ message: `the cpu rounded the f32 value ${d.preQuantization} to get its code` });
  return error(
    DIFF_CODES.DIVERGENCE,
    `the backends diverge first at layer '${r.node}' (${r.fused}), output '${r.value}' element [${d.indices.join(', ')}] (flat ${d.element})`,
    undefined,
    { notes, hint: 'a kernel breaks the numerical contract here; please report it with the net, weights and input; `--backend cpu` gives the reference results' },
  );
}
