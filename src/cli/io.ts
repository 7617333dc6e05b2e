/**
 * Where a command writes and how. Commands never touch process.stdout or process.exit directly,
 * so tests can run them in-process and read what they printed.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  /** stderr is a terminal: colour, progress bars that redraw. */
  isTTY: boolean;
  color: boolean;
  /**
   * Writes to stderr exactly as given (no newline added), for progress bars that redraw a line;
   * present only when stderr is a terminal. `columns` is the terminal's width.
   */
  rawErr?: (text: string) => void;
  columns?: number;
}

export function processIO(): CliIO {
  const isTTY = Boolean(process.stderr.isTTY);
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    cwd: process.cwd(),
    isTTY,
    color: isTTY && !process.env.NO_COLOR,
    rawErr: isTTY ? (t) => void process.stderr.write(t) : undefined,
    columns: isTTY ? process.stderr.columns : undefined,
  };
}

/** An IO that records everything, for tests. */
export function memoryIO(cwd = process.cwd()): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    cwd,
    isTTY: false,
    color: false,
  };
}
