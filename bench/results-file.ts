/**
 * How the benchmark scripts write what they measured: files written atomically (a temp file, then
 * a rename, so an interrupted run never leaves half a file), and each script's own section of
 * bench/RESULTS.md, between its begin and end markers (appended when the file has none yet).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface SectionMarkers {
  begin: string;
  end: string;
}

export const RESULTS_MD = new URL('./RESULTS.md', import.meta.url);

export function writeAtomically(url: URL, text: string): void {
  const path = fileURLToPath(url);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** `existing` with the section between `markers` replaced by `body` (appended when absent). */
export function spliceSection(existing: string, markers: SectionMarkers, body: string): string {
  const section = `${markers.begin}\n${body}\n${markers.end}`;
  const begin = existing.indexOf(markers.begin);
  const end = existing.indexOf(markers.end);
  if (begin >= 0 && end > begin) return `${existing.slice(0, begin)}${section}${existing.slice(end + markers.end.length)}`;
  return `${existing.trimEnd()}\n\n${section}\n`;
}

/** Replaces the section between `markers` in bench/RESULTS.md with `body`. */
export function writeResultsSection(markers: SectionMarkers, body: string): void {
  const existing = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, 'utf8') : '# Benchmark results\n';
  writeAtomically(RESULTS_MD, spliceSection(existing, markers, body));
}
