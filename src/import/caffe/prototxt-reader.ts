import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Position, Span } from '../../diag/span.js';

/**
 * A reader for the protobuf TEXT format as Caffe writes it (.prototxt), independent of any schema:
 * it produces a generic tree of fields, each with its source span, and the interpreter
 * (text-to-message.ts) checks names and kinds against the schema afterwards. That split lets the
 * schema stay small (only what lpc supports) while syntax errors and unknown fields both point at
 * file:line:col.
 *
 * Accepted: `#` comments; `name: value`, `name { ... }`, `name: { ... }`, `name < ... >`;
 * list values `name: [1, 2]` / `name [{ ... }, { ... }]`; strings in single or double quotes with
 * C escapes, adjacent strings concatenated; numbers (ints, floats, exponents, hex `0x..`, octal
 * `0..`, a trailing `f`), `inf`/`nan` (any case, optionally negative); bare identifiers (enum
 * words, true/false); `,` or `;` after any field. Errors never throw: each is a diagnostic and the
 * reader resynchronises at the next field so the rest of the file is still read.
 */

export type TextScalar =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; raw: string; isInteger: boolean }
  | { kind: 'ident'; value: string };

export interface TextField {
  name: string;
  nameSpan: Span;
  /** The whole field, name to closing brace or value. */
  span: Span;
  /** Scalar value; absent for message fields. */
  value?: TextScalar;
  valueSpan?: Span;
  /** Sub-fields of a message field; absent for scalar fields. */
  children?: TextField[];
}

export interface PrototxtReadResult {
  fields: TextField[];
  diagnostics: Diagnostic[];
}

type TokKind = 'ident' | 'number' | 'string' | 'punct' | 'eof';

interface Token {
  kind: TokKind;
  text: string;
  /** For strings: the unescaped value. */
  value?: string;
  start: Position;
  end: Position;
}

/** Stop runaway nesting (a fuzzed file of 100k `{`) before the stack does. */
const MAX_DEPTH = 100;

class Lexer {
  private pos = 0;
  private line = 1;
  private col = 1;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly diags: Diagnostic[],
  ) {}

  private here(): Position {
    return { offset: this.pos, line: this.line, col: this.col };
  }

  private advance(): string {
    const ch = this.text[this.pos++];
    if (ch === '\n') {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return ch;
  }

  private span(start: Position, end: Position = this.here()): Span {
    return { file: this.file, start, end };
  }

  next(): Token {
    this.skipSpaceAndComments();
    const start = this.here();
    if (this.pos >= this.text.length) return { kind: 'eof', text: '', start, end: start };
    const ch = this.text[this.pos];
    if (/[A-Za-z_]/.test(ch)) {
      let s = '';
      while (this.pos < this.text.length && /[A-Za-z0-9_.]/.test(this.text[this.pos])) s += this.advance();
      return { kind: 'ident', text: s, start, end: this.here() };
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(this.text[this.pos + 1] ?? ''))) {
      let s = '';
      // Number-ish run: digits, letters (hex, exponent, suffix), dots, and a sign right after e/E.
      while (this.pos < this.text.length) {
        const c = this.text[this.pos];
        const prev = s[s.length - 1];
        const isHex = /^0[xX]/.test(s);
        if (/[0-9A-Za-z_.]/.test(c) || ((c === '+' || c === '-') && !isHex && (prev === 'e' || prev === 'E'))) s += this.advance();
        else break;
      }
      return { kind: 'number', text: s, start, end: this.here() };
    }
    if (ch === '"' || ch === "'") return this.readString(start);
    this.advance();
    return { kind: 'punct', text: ch, start, end: this.here() };
  }

  private skipSpaceAndComments(): void {
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch === '#') {
        while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.advance();
      } else if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') {
        this.advance();
      } else {
        break;
      }
    }
  }

  private readString(start: Position): Token {
    const quote = this.advance();
    let value = '';
    while (true) {
      if (this.pos >= this.text.length || this.text[this.pos] === '\n') {
        this.diags.push(
          error('LPC4002', 'unterminated string: a string must close on the line it starts', this.span(start), {
            hint: `add the closing ${quote}`,
          }),
        );
        break;
      }
      const ch = this.advance();
      if (ch === quote) break;
      if (ch !== '\\') {
        value += ch;
        continue;
      }
      const escStart: Position = { offset: this.pos - 1, line: this.line, col: this.col - 1 };
      value += this.readEscape(escStart);
    }
    const end = this.here();
    return { kind: 'string', text: this.text.slice(start.offset, end.offset), value, start, end };
  }

  private readEscape(escStart: Position): string {
    if (this.pos >= this.text.length || this.text[this.pos] === '\n') {
      this.diags.push(error('LPC4002', 'a string ends in a lone backslash', this.span(escStart)));
      return '';
    }
    const e = this.advance();
    const simple: Record<string, string> = {
      n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?',
    };
    if (e in simple) return simple[e];
    if (/[0-7]/.test(e)) {
      let digits = e;
      while (digits.length < 3 && /[0-7]/.test(this.text[this.pos] ?? '')) digits += this.advance();
      return String.fromCharCode(parseInt(digits, 8) & 0xff);
    }
    const hexCount = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexCount > 0) {
      let digits = '';
      while (digits.length < hexCount && /[0-9A-Fa-f]/.test(this.text[this.pos] ?? '')) digits += this.advance();
      const cp = digits.length === 0 ? NaN : parseInt(digits, 16);
      if ((e !== 'x' && digits.length !== hexCount) || Number.isNaN(cp) || cp > 0x10ffff) {
        this.diags.push(
          error('LPC4002', `bad escape \\${e}${digits}: expected ${e === 'x' ? '1-2' : hexCount} hex digits`, this.span(escStart)),
        );
        return '';
      }
      return String.fromCodePoint(cp);
    }
    this.diags.push(
      error('LPC4002', `unknown escape \\${e} in a string`, this.span(escStart), {
        hint: 'valid escapes: \\n \\t \\r \\\\ \\\' \\" \\xHH \\ooo \\uXXXX',
      }),
    );
    return e;
  }
}

/** Parses the text of a number token (sign handled by the caller); undefined when malformed. */
export function parseNumberText(raw: string): { value: number; isInteger: boolean } | undefined {
  let t = raw;
  if (/^0[xX][0-9A-Fa-f]+$/.test(t)) return { value: parseInt(t.slice(2), 16), isInteger: true };
  if (/^0[0-7]+$/.test(t)) return { value: parseInt(t, 8), isInteger: true };
  if (/^[0-9]+$/.test(t)) return { value: Number(t), isInteger: true };
  if (/[fF]$/.test(t)) t = t.slice(0, -1);
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(t)) return { value: Number(t), isInteger: false };
  return undefined;
}

const NON_FINITE: Record<string, number> = { inf: Infinity, infinity: Infinity, nan: NaN };

class Parser {
  private tok: Token;
  private depth = 0;

  constructor(
    private readonly lexer: Lexer,
    private readonly file: string,
    private readonly diags: Diagnostic[],
  ) {
    this.tok = lexer.next();
  }

  private span(start: Position, end: Position): Span {
    return { file: this.file, start, end };
  }

  private bump(): Token {
    const t = this.tok;
    this.tok = this.lexer.next();
    return t;
  }

  private atEof(): boolean {
    return this.tok.kind === 'eof';
  }

  private isPunct(p: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === p;
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'the end of the file';
    if (t.kind === 'string') return `string ${t.text.length > 30 ? `${t.text.slice(0, 30)}...` : t.text}`;
    return `\`${t.text.length > 30 ? `${t.text.slice(0, 30)}...` : t.text}\``;
  }

  private fail(message: string, t: Token = this.tok, hint?: string): void {
    this.diags.push(error('LPC4001', message, this.span(t.start, t.end), { hint }));
  }

  /** Fields until `close` (or end of file at top level). */
  parseFields(close: string | undefined): TextField[] {
    const fields: TextField[] = [];
    while (true) {
      if (this.tok.kind === 'eof') return fields;
      if (close !== undefined && this.isPunct(close)) return fields;
      if (this.tok.kind !== 'ident') {
        const t = this.bump();
        if (close === undefined && t.kind === 'punct' && (t.text === '}' || t.text === '>')) {
          this.fail(`unmatched \`${t.text}\`: no message is open here`, t);
        } else {
          this.fail(`expected a field name, found ${this.describe(t)}`, t);
        }
        this.skipToNextField();
        continue;
      }
      const field = this.parseField();
      if (field) fields.push(field);
      while (this.isPunct(',') || this.isPunct(';')) this.bump();
    }
  }

  /** After an error: drop tokens until something that can start a field, or the closer. */
  private skipToNextField(): void {
    while (this.tok.kind !== 'eof') {
      if (this.tok.kind === 'ident') return;
      // stop at any closer: the enclosing message decides whether it is its own or a stray one
      if (this.isPunct('}') || this.isPunct('>')) return;
      if (this.isPunct('{') || this.isPunct('<')) {
        // skip a whole unexpected nested message so its contents are not mistaken for fields here
        this.skipBalanced();
        continue;
      }
      this.bump();
    }
  }

  private skipBalanced(): void {
    let level = 0;
    do {
      if (this.isPunct('{') || this.isPunct('<')) level++;
      else if (this.isPunct('}') || this.isPunct('>')) level--;
      this.bump();
    } while (level > 0 && this.tok.kind !== 'eof');
  }

  private parseField(): TextField | undefined {
    const nameTok = this.bump();
    const nameSpan = this.span(nameTok.start, nameTok.end);
    const hasColon = this.isPunct(':');
    if (hasColon) this.bump();
    if (this.isPunct('{') || this.isPunct('<')) {
      const children = this.parseMessageBody();
      return { name: nameTok.text, nameSpan, span: this.span(nameTok.start, children.end), children: children.fields };
    }
    if (this.isPunct('[')) return this.parseListInto(nameTok, nameSpan, hasColon);
    if (!hasColon) {
      this.fail(`expected \`:\` or \`{\` after field name \`${nameTok.text}\`, found ${this.describe(this.tok)}`);
      this.skipToNextField();
      return undefined;
    }
    const scalar = this.parseScalar();
    if (!scalar) return undefined;
    return { name: nameTok.text, nameSpan, span: this.span(nameTok.start, scalar.span.end), value: scalar.value, valueSpan: scalar.span };
  }

  private parseMessageBody(): { fields: TextField[]; end: Position } {
    const open = this.bump();
    const close = open.text === '{' ? '}' : '>';
    if (this.depth >= MAX_DEPTH) {
      this.fail(`messages nested deeper than ${MAX_DEPTH} levels`, open);
      this.skipRestOfMessage();
      return { fields: [], end: this.tok.start };
    }
    this.depth++;
    const fields = this.parseFields(close);
    this.depth--;
    if (this.isPunct(close)) {
      const end = this.bump().end;
      return { fields, end };
    }
    this.diags.push(
      error('LPC4001', `this \`${open.text}\` is never closed`, this.span(open.start, open.end), {
        hint: `add \`${close}\` before ${this.describe(this.tok)}`,
      }),
    );
    return { fields, end: this.tok.start };
  }

  /** Skips the rest of a message whose `open` token was already consumed. */
  private skipRestOfMessage(): void {
    let level = 1;
    while (level > 0 && this.tok.kind !== 'eof') {
      if (this.isPunct('{') || this.isPunct('<')) level++;
      else if (this.isPunct('}') || this.isPunct('>')) level--;
      this.bump();
    }
  }

  /** `name: [1, 2, 3]` or `name [{...}, {...}]`: one TextField per element, like repeated fields. */
  private parseListInto(nameTok: Token, nameSpan: Span, hasColon: boolean): TextField | undefined {
    const open = this.bump();
    const items: TextField[] = [];
    while (!this.isPunct(']')) {
      if (this.atEof() || this.isPunct('}') || this.isPunct('>')) {
        this.fail('this `[` is never closed', open, 'add `]`');
        return { name: nameTok.text, nameSpan, span: this.span(nameTok.start, open.end), children: items, value: { kind: 'ident', value: LIST_MARKER } };
      }
      if (this.isPunct('{') || this.isPunct('<')) {
        const body = this.parseMessageBody();
        items.push({ name: nameTok.text, nameSpan, span: this.span(nameTok.start, body.end), children: body.fields });
      } else {
        if (!hasColon) this.fail(`scalar list values need \`:\` after the field name \`${nameTok.text}\``, open);
        const s = this.parseScalar();
        if (s) items.push({ name: nameTok.text, nameSpan, span: this.span(nameTok.start, s.span.end), value: s.value, valueSpan: s.span });
        else this.skipToListSeparator();
      }
      if (this.isPunct(',')) this.bump();
      else if (!this.isPunct(']') && !this.atEof()) {
        this.fail(`expected \`,\` or \`]\` in a list, found ${this.describe(this.tok)}`);
        this.skipToListSeparator();
        if (this.isPunct(',')) this.bump();
      }
    }
    if (this.isPunct(']')) this.bump();
    // A list is returned as a synthetic group; the caller flattens it through `children` of kind list.
    return { name: nameTok.text, nameSpan, span: this.span(nameTok.start, open.end), children: items, value: { kind: 'ident', value: LIST_MARKER } };
  }

  private skipToListSeparator(): void {
    while (this.tok.kind !== 'eof' && !this.isPunct(',') && !this.isPunct(']') && !this.isPunct('}')) this.bump();
  }

  private parseScalar(): { value: TextScalar; span: Span } | undefined {
    const t = this.tok;
    if (t.kind === 'string') {
      let value = '';
      let end = t.end;
      while (this.tok.kind === 'string') {
        const s = this.bump();
        value += s.value ?? '';
        end = s.end;
      }
      return { value: { kind: 'string', value }, span: this.span(t.start, end) };
    }
    let negative = false;
    if (this.isPunct('-')) {
      negative = true;
      this.bump();
    }
    const v = this.tok;
    if (v.kind === 'number') {
      this.bump();
      const parsed = parseNumberText(v.text);
      if (!parsed) {
        this.fail(`malformed number \`${v.text}\``, v);
        return undefined;
      }
      const value = negative ? -parsed.value : parsed.value;
      return { value: { kind: 'number', value, raw: (negative ? '-' : '') + v.text, isInteger: parsed.isInteger }, span: this.span(t.start, v.end) };
    }
    if (v.kind === 'ident') {
      const lower = v.text.toLowerCase();
      if (lower in NON_FINITE) {
        this.bump();
        const base = NON_FINITE[lower];
        return { value: { kind: 'number', value: negative ? -base : base, raw: (negative ? '-' : '') + v.text, isInteger: false }, span: this.span(t.start, v.end) };
      }
      if (negative) {
        this.fail(`expected a number after \`-\`, found ${this.describe(v)}`, v);
        this.bump(); // the word was meant as this field's value; do not read it as the next field
        return undefined;
      }
      this.bump();
      return { value: { kind: 'ident', value: v.text }, span: this.span(v.start, v.end) };
    }
    this.fail(`expected a value (number, string, word or \`{\`), found ${this.describe(v)}`, v);
    if (v.kind !== 'eof' && !this.isPunct('}') && !this.isPunct('>')) this.bump();
    return undefined;
  }
}

/** Marks a TextField produced by `[...]` list syntax; `flattenLists` replaces it by its items. */
const LIST_MARKER = '\u0000list';

function flattenLists(fields: TextField[]): TextField[] {
  const out: TextField[] = [];
  for (const f of fields) {
    if (f.value?.kind === 'ident' && f.value.value === LIST_MARKER) {
      for (const item of f.children ?? []) out.push(item.children ? { ...item, children: flattenLists(item.children) } : item);
    } else if (f.children) {
      out.push({ ...f, children: flattenLists(f.children) });
    } else {
      out.push(f);
    }
  }
  return out;
}

/** Reads a prototxt into a field tree. Never throws; problems come back as diagnostics. */
export function readPrototxt(text: string, file: string): PrototxtReadResult {
  const diagnostics: Diagnostic[] = [];
  const lexer = new Lexer(text, file, diagnostics);
  const parser = new Parser(lexer, file, diagnostics);
  const fields = flattenLists(parser.parseFields(undefined));
  diagnostics.sort((a, b) => (a.span?.start.offset ?? 0) - (b.span?.start.offset ?? 0));
  return { fields, diagnostics };
}
