/**
 * Small scanners over the original .lpnet text. The AST keeps no tokens, so the few layout facts
 * the formatter preserves (a blank line between statements, where a body's `{` sits) are read
 * back from the source with these.
 */

function isHorizontalSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\f' || ch === '\v' || ch === '\u00a0' || ch === '\ufeff';
}

/** Index of the first character at or after `from` that is not a space, tab or `;`. */
function skipSpacesAndSemicolons(text: string, from: number): number {
  let i = from;
  while (i < text.length && (isHorizontalSpace(text[i]) || text[i] === ';')) i++;
  return i;
}

/** Index just past the line break at `i` (`\n` or `\r\n`), or -1 when there is none at `i`. */
function skipLineBreak(text: string, i: number): number {
  if (text[i] === '\n') return i + 1;
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  if (text[i] === '\r') return i + 1;
  return -1;
}

/**
 * True when the line after the one that contains `offset` is blank. Whatever ends the current
 * line (spaces, `;` separators, one `#` comment) is skipped first, so a statement followed by an
 * end-of-line comment and then an empty line still counts as "followed by a blank line".
 */
export function isNextLineBlank(text: string, offset: number): boolean {
  let i = skipSpacesAndSemicolons(text, offset);
  if (text[i] === '#') {
    while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  }
  i = skipLineBreak(text, i);
  if (i < 0) return false;
  while (i < text.length && isHorizontalSpace(text[i])) i++;
  return skipLineBreak(text, i) >= 0;
}

/**
 * Offset of the first `ch` (a bracket) at or after `from`, skipping comments, or -1. Callers start
 * from the end of the last node before the bracket, so no string literal lies between.
 */
export function findBracket(text: string, from: number, ch: '{' | ')'): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === ch) return i;
    if (text[i] === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    i++;
  }
  return -1;
}

/** True when no line break lies between the two offsets. */
export function onSameLine(text: string, a: number, b: number): boolean {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  for (let i = lo; i < hi; i++) {
    if (text[i] === '\n' || text[i] === '\r') return false;
  }
  return true;
}

/** True when only spaces stand between the start of the line and `offset`. */
export function startsOwnLine(text: string, offset: number): boolean {
  let i = offset - 1;
  while (i >= 0 && isHorizontalSpace(text[i])) i--;
  return i < 0 || text[i] === '\n' || text[i] === '\r';
}

/** True when the line before the one holding `offset` is blank (spaces at most). */
export function isPreviousLineBlank(text: string, offset: number): boolean {
  let i = offset - 1;
  while (i >= 0 && isHorizontalSpace(text[i])) i--;
  // Step over this line's break (\n, \r\n or \r) to the end of the line before.
  if (text[i] === '\n') i--;
  if (text[i] === '\r') i--;
  while (i >= 0 && isHorizontalSpace(text[i])) i--;
  return i >= 0 && (text[i] === '\n' || text[i] === '\r');
}
