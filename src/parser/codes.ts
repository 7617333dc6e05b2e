import type { CodeTable } from '../diag/codes.js';

/** LPC1000-1099: lexer and parser; LPC1100-1199: imports and module loading. */
export const PARSER_CODES: CodeTable = {
  LPC1000: {
    summary: 'an internal error in the parser (a bug in lpc, not in the file)',
    fix: 'Report it with the file that triggers it.',
  },
  LPC1001: {
    summary: 'a character that cannot start any token',
    fix: 'Remove the character; comments start with `#`, strings use double quotes.',
  },
  LPC1002: {
    summary: 'a string literal is not closed before the end of the line',
    fix: 'Add the closing `"`; strings cannot span lines (write `\\n` for a newline).',
  },
  LPC1003: {
    summary: 'an unknown escape sequence in a string literal',
    fix: 'Use one of \\" \\\\ \\n \\t or \\uXXXX (four hex digits).',
  },
  LPC1004: {
    summary: 'a number literal too large to represent',
    fix: 'Write a smaller number; numbers are 64-bit floats and must be finite.',
  },
  LPC1005: {
    summary: 'brackets or expressions nested too deeply to parse',
    fix: 'Split the expression into several bindings, or close brackets that were left open.',
  },
  LPC1010: {
    summary: 'a token that does not fit the syntax at this point',
    fix: 'Compare the line with the grammar in grammar/README.md; the message says what was expected.',
  },
  LPC1011: {
    summary: 'something that is not a statement inside a net, block or repeat body',
    fix: 'A body holds bindings `name = expr`, `input`, `output`, `loss`, `repeat` and `return` statements.',
  },
  LPC1012: {
    summary: 'something that is not a top-level item',
    fix: 'A file holds `import`, `type`, `net`, `block` and `train` items; statements go inside a net or block body.',
  },
  LPC1013: {
    summary: 'an expression was expected',
    fix: 'Write a number, string, `true`/`false`, a name, a call, a list `[...]`, `fixed<...>` or `(...)`.',
  },
  LPC1014: {
    summary: 'a number type was expected',
    fix: 'Write `fixed<I, F>`, `f32`, `i32` or the name of a `type` alias.',
  },
  LPC1015: {
    summary: 'a bracket, parenthesis or brace is not closed',
    fix: 'Add the closing delimiter, or remove the extra opening one.',
  },
  LPC1016: {
    summary: 'something that is not a setting inside a `train` section',
    fix: 'A train section holds settings `key value`, such as `optimizer sgd(lr: 0.01)` or `batch 64`.',
  },
  LPC1020: {
    summary: 'an unknown parameter kind',
    fix: 'Parameter kinds are `int`, `float`, `bool` and `type`; a block tensor parameter is a bare name.',
  },
  LPC1021: {
    summary: 'a positional argument after a named argument',
    fix: 'Put positional arguments (the inputs) first, then the named ones (`name: value`).',
  },
  LPC1022: {
    summary: 'a tensor parameter with a default value',
    fix: 'A bare parameter is a tensor and is always passed by the caller; give it a kind (`n: int = 3`) for a scalar default.',
  },
  LPC1101: {
    summary: 'an imported file does not exist',
    fix: 'Import paths are relative to the importing file; check the spelling and the folder.',
  },
  LPC1102: {
    summary: 'files import each other in a cycle',
    fix: 'Move the shared types and blocks into a third file that both import.',
  },
};
