import { format } from 'prettier';
import { error, type Diagnostic } from '../diag/diagnostic.js';
import { parseProgram } from '../parser/parse.js';
import { programDifference } from './ast-compare.js';
import { FMT_OUTPUT_CHANGES_PROGRAM } from './codes.js';
import plugin, { LpnetSyntaxError } from './prettier-plugin.js';

/**
 * Formatting .lpnet text with the prettier plugin, at the canonical settings. The options are
 * fixed here (not read from a .prettierrc) so `lpc fmt` gives the same text on every machine.
 */
const canonicalOptions = {
  parser: 'lpnet',
  plugins: [plugin],
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  endOfLine: 'lf' as const,
};

/**
 * The canonical form of `text`. Throws LpnetSyntaxError (with the parser's diagnostics) when the
 * text does not parse. `file` is used in diagnostics only.
 */
export async function formatLpnet(text: string, file: string): Promise<string> {
  return format(text, { ...canonicalOptions, filepath: file });
}

/** True when `text` is already in canonical form. Throws LpnetSyntaxError like formatLpnet. */
export async function checkFormatted(text: string, file: string): Promise<boolean> {
  return (await formatLpnet(text, file)) === text;
}

export type FormatOutcome =
  { ok: true; formatted: string; changed: boolean } | { ok: false; diagnostics: Diagnostic[] };

/**
 * What `lpc fmt` runs: formats, then re-parses the output and checks that it is the same program
 * with the same comments, so a formatter bug can never silently rewrite a user's net. Syntax
 * errors come back as the parser's diagnostics; nothing here throws for bad input.
 */
export async function formatLpnetSafely(text: string, file: string): Promise<FormatOutcome> {
  const before = parseProgram(text, file);
  const syntaxErrors = before.diagnostics.filter((d) => d.severity === 'error');
  if (syntaxErrors.length > 0) return { ok: false, diagnostics: syntaxErrors };
  let formatted: string;
  try {
    formatted = await formatLpnet(text, file);
  } catch (e) {
    if (e instanceof LpnetSyntaxError) return { ok: false, diagnostics: e.diagnostics };
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, diagnostics: [guardFailure(file, `the formatter failed: ${why}`)] };
  }
  const after = parseProgram(formatted, file);
  if (after.diagnostics.some((d) => d.severity === 'error')) {
    return { ok: false, diagnostics: [guardFailure(file, 'the formatted text does not parse')] };
  }
  const difference = programDifference(before.program, after.program);
  if (difference) return { ok: false, diagnostics: [guardFailure(file, difference)] };
  return { ok: true, formatted, changed: formatted !== text };
}

function guardFailure(file: string, detail: string): Diagnostic {
  return error(FMT_OUTPUT_CHANGES_PROGRAM, `formatting ${file} would change the program: ${detail}`, undefined, {
    hint: 'the file was left untouched; this is a bug in lpc fmt, please report it with the file',
  });
}
