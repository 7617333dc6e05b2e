/** A position in a source file. `line` and `col` are 1-based; `offset` is a 0-based UTF-16 index. */
export interface Position {
  offset: number;
  line: number;
  col: number;
}

/** A half-open source range [start, end) in one file. Every AST node carries one. */
export interface Span {
  file: string;
  start: Position;
  end: Position;
}

export function spanFrom(a: Span, b: Span): Span {
  return { file: a.file, start: a.start, end: b.end };
}

export function formatSpanStart(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.col}`;
}
