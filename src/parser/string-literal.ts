import type { IToken } from 'chevrotain';
import { error, type Diagnostic } from '../diag/diagnostic.js';
import type { Span } from '../diag/span.js';
import { tokenSpan } from './cst-reader.js';
import { UnterminatedString } from './lexer.js';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  n: '\n',
  t: '\t',
};

/** Span of `length` characters at `index` inside a one-line token. */
function spanInside(file: string, token: IToken, index: number, length: number): Span {
  const whole = tokenSpan(file, token);
  const at = (k: number) => ({
    offset: whole.start.offset + k,
    line: whole.start.line,
    col: whole.start.col + k,
  });
  return { file, start: at(index), end: at(index + length) };
}

/**
 * The value of a string token: quotes removed, escapes (\" \\ \n \t \uXXXX) decoded. A bad
 * escape is reported at its own position and kept as written, so one typo gives one message.
 */
export function decodeStringToken(file: string, token: IToken, diagnostics: Diagnostic[]): string {
  const raw = token.image;
  const closed = token.tokenType !== UnterminatedString;
  if (!closed) {
    diagnostics.push(
      error('LPC1002', 'this string is not closed before the end of the line', tokenSpan(file, token), {
        hint: 'add the closing `"`; a string cannot span lines (write `\\n` for a newline)',
      }),
    );
  }
  const body = raw.slice(1, closed ? raw.length - 1 : raw.length);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[i + 1];
    if (next !== undefined && SIMPLE_ESCAPES[next] !== undefined) {
      out += SIMPLE_ESCAPES[next];
      i++;
      continue;
    }
    const hex = body.slice(i + 2, i + 6);
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(hex)) {
      out += String.fromCharCode(parseInt(hex, 16));
      i += 5;
      continue;
    }
    // A lone trailing `\` of an unterminated string was already covered by LPC1002.
    if (next === undefined) break;
    const written = next === 'u' ? `\\u${/^[0-9a-fA-F]*/.exec(hex)?.[0] ?? ''}` : `\\${next}`;
    diagnostics.push(
      error(
        'LPC1003',
        `unknown escape sequence \`${written}\` in a string`,
        spanInside(file, token, i + 1, written.length),
        {
          hint:
            next === 'u'
              ? '`\\u` takes exactly four hex digits, as in `\\u00e9`'
              : 'the escapes are \\" \\\\ \\n \\t and \\uXXXX; write `\\\\` for a backslash',
        },
      ),
    );
    out += written;
    i += written.length - 1;
  }
  return out;
}
