import type { Diagnostic } from './diagnostic.js';

/** `file:line:col: error LPC1234: message` — the stable form tests assert on. */
export function renderOneLine(d: Diagnostic): string {
  const where = d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.col}: ` : '';
  return `${where}${d.severity} ${d.code}: ${d.message}`;
}

export interface SnippetOptions {
  color?: boolean;
  /** Source text per file name, for the snippet; files not found render without one. */
  sources?: ReadonlyMap<string, string>;
}

const ansi = {
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  cyan: '\x1b[36m',
  bold: '\x1b[1m',
  reset: '\x1b[0m',
};

/**
 * The user-facing form: header, the source line with carets under the span, notes and hint.
 *
 *   error LPC1201: unknown op `cnov`
 *     --> lenet.lpnet:7:8
 *      |
 *    7 |   c1 = cnov(image, filters: 20)
 *      |        ^^^^
 *      = hint: did you mean `conv`?
 */
export function renderSnippet(d: Diagnostic, opts: SnippetOptions = {}): string {
  const c = (code: keyof typeof ansi, s: string) => (opts.color ? `${ansi[code]}${s}${ansi.reset}` : s);
  const sevColor = d.severity === 'error' ? 'red' : d.severity === 'warning' ? 'yellow' : 'cyan';
  const out: string[] = [];
  out.push(`${c(sevColor, c('bold', `${d.severity} ${d.code}`))}${c('bold', `: ${d.message}`)}`);
  if (d.span) {
    const { file, start, end } = d.span;
    const text = opts.sources?.get(file);
    const gutter = String(start.line).length;
    const pad = ' '.repeat(gutter);
    out.push(`${pad}${c('blue', '-->')} ${file}:${start.line}:${start.col}`);
    const lines = text?.split(/\r?\n/);
    const line = lines?.[start.line - 1];
    if (line !== undefined) {
      const width = end.line === start.line ? Math.max(1, end.col - start.col) : Math.max(1, line.length - start.col + 1);
      out.push(`${pad} ${c('blue', '|')}`);
      out.push(`${c('blue', `${start.line} |`)} ${line.replace(/\t/g, ' ')}`);
      out.push(`${pad} ${c('blue', '|')} ${' '.repeat(start.col - 1)}${c(sevColor, '^'.repeat(width))}`);
    }
  }
  for (const n of d.notes) {
    const where = n.span ? ` (${n.span.file}:${n.span.start.line}:${n.span.start.col})` : '';
    out.push(`  = note: ${n.message}${where}`);
  }
  if (d.hint) out.push(`  = ${c('cyan', 'hint')}: ${d.hint}`);
  return out.join('\n');
}
