import type { Parser, ParserOptions, Plugin, SupportLanguage } from 'prettier';
import type { Diagnostic } from '../diag/diagnostic.js';
import { renderOneLine } from '../diag/render.js';
import { parseProgram } from '../parser/parse.js';
import type { AttachedComment, LpnetNode } from './comments.js';
import { lpnetPrinter } from './printer.js';

/**
 * The .lpnet prettier plugin. `lpc fmt` uses it through src/format/format.ts; prettier users can
 * load the built file directly (see grammar/FORMATTING.md):
 *
 *   prettier --plugin ./node_modules/lpc/dist/format/prettier-plugin.js --write "**\/*.lpnet"
 */

/** Thrown by the plugin's parser when the text has syntax errors; carries every diagnostic. */
export class LpnetSyntaxError extends Error {
  /**
   * Where the first error is (1-based line and column). Prettier treats an error with `loc` as a
   * parse error: its CLI prints the message with a code frame instead of a stack trace.
   */
  readonly loc?: { start: { line: number; column: number }; end: { line: number; column: number } };

  constructor(readonly diagnostics: Diagnostic[]) {
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
    super(`${renderOneLine(diagnostics[0])}${more}`);
    this.name = 'LpnetSyntaxError';
    const span = diagnostics[0].span;
    if (span) {
      this.loc = {
        start: { line: span.start.line, column: span.start.col },
        end: { line: span.end.line, column: span.end.col },
      };
    }
  }
}

export const languages: SupportLanguage[] = [
  {
    name: 'lpnet',
    parsers: ['lpnet'],
    extensions: ['.lpnet'],
    vscodeLanguageIds: ['lpnet'],
  },
];

const lpnetParser: Parser<LpnetNode> = {
  astFormat: 'lpnet-ast',
  parse(text: string, options: ParserOptions<LpnetNode>): LpnetNode {
    const { program, diagnostics } = parseProgram(text, options.filepath ?? '<input>');
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new LpnetSyntaxError(errors);
    // Prettier quotes `comment.value` if it ever fails to print a comment; give it the text.
    for (const c of program.comments as AttachedComment[]) c.value = c.text;
    return program;
  },
  locStart: (node: LpnetNode) => node.span.start.offset,
  locEnd: (node: LpnetNode) => node.span.end.offset,
};

export const parsers = { lpnet: lpnetParser };
export const printers = { 'lpnet-ast': lpnetPrinter };

/** printWidth 100 and 2-space indentation are the canonical layout, not user preferences. */
export const defaultOptions = { printWidth: 100, tabWidth: 2, useTabs: false };

const plugin: Plugin<LpnetNode> = { languages, parsers, printers, defaultOptions };
export default plugin;
