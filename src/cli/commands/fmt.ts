import { readFile, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { renderSnippet } from '../../diag/render.js';
import {
  FMT_NO_LPNET_FILES,
  FMT_PATH_NOT_FOUND,
  FMT_READ_FAILED,
  FMT_USAGE,
  FMT_WRITE_FAILED,
} from '../../format/codes.js';
import { findLpnetFiles, writeFileAtomic } from '../../format/files.js';
import type { FormatOutcome } from '../../format/format.js';
import type { CommandContext, LpcCommand } from '../command.js';

/**
 * `lpc fmt FILE_OR_DIR... [--check] [--write]`: the canonical layout of .lpnet files
 * (grammar/FORMATTING.md). Without flags it prints the formatted text of one file; `--check`
 * lists files that are not formatted (exit 1 if any); `--write` rewrites them in place. A file
 * that does not parse is reported with its diagnostics and never written.
 */

interface FmtOptions {
  check?: boolean;
  write?: boolean;
}

/** A file to format: its absolute path, and the name shown to the user (relative to cwd). */
interface Target {
  path: string;
  shown: string;
}

function report(ctx: CommandContext, diagnostics: Diagnostic[], sources?: Map<string, string>): void {
  for (const d of diagnostics) ctx.io.err(renderSnippet(d, { color: ctx.io.color, sources }));
}

/** Expands folders to their .lpnet files; missing paths and empty folders are reported. */
async function collectTargets(ctx: CommandContext, args: string[]): Promise<Target[]> {
  const targets: Target[] = [];
  const seen = new Set<string>();
  const add = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    targets.push({ path, shown: relative(ctx.io.cwd, path) || path });
  };
  for (const arg of args) {
    const path = resolve(ctx.io.cwd, arg);
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      report(ctx, [error(FMT_PATH_NOT_FOUND, `no such file or folder: ${arg}`)]);
      ctx.exitCode = 1;
    } else if (info.isDirectory()) {
      const files = await findLpnetFiles(path);
      if (files.length === 0) {
        report(ctx, [
          error(FMT_NO_LPNET_FILES, `no .lpnet files in ${arg}`, undefined, {
            hint: 'folders are searched recursively for files ending in .lpnet',
          }),
        ]);
        ctx.exitCode = 1;
      }
      files.forEach(add);
    } else {
      add(path);
    }
  }
  return targets;
}

/** What happened to one file: it failed (already reported), or here is its canonical text. */
type FileResult = { kind: 'failed' } | { kind: 'formatted'; text: string; changed: boolean };

/** Prettier is loaded only when `lpc fmt` runs, so the other commands start without it. */
async function loadFormatter(): Promise<(text: string, file: string) => Promise<FormatOutcome>> {
  const { formatLpnetSafely } = await import('../../format/format.js');
  return formatLpnetSafely;
}

async function formatTarget(
  ctx: CommandContext,
  target: Target,
  format: (text: string, file: string) => Promise<FormatOutcome>,
): Promise<FileResult> {
  let text: string;
  try {
    text = await readFile(target.path, 'utf8');
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    report(ctx, [error(FMT_READ_FAILED, `cannot read ${target.shown}: ${why}`)]);
    return { kind: 'failed' };
  }
  const outcome = await format(text, target.shown);
  if (!outcome.ok) {
    report(ctx, outcome.diagnostics, new Map([[target.shown, text]]));
    return { kind: 'failed' };
  }
  return { kind: 'formatted', text: outcome.formatted, changed: outcome.changed };
}

async function runFmt(ctx: CommandContext, args: string[], opts: FmtOptions): Promise<void> {
  if (opts.check && opts.write) {
    report(ctx, [error(FMT_USAGE, '`--check` and `--write` cannot be used together')]);
    ctx.exitCode = 2;
    return;
  }
  const targets = await collectTargets(ctx, args);
  const printMode = !opts.check && !opts.write;
  if (printMode && targets.length > 1) {
    report(ctx, [
      error(
        FMT_USAGE,
        `${targets.length} files to format, but without --write or --check only one can be printed`,
        undefined,
        {
          hint: 'use `lpc fmt --write` to rewrite them in place, or `lpc fmt --check` to list the unformatted ones',
        },
      ),
    ]);
    ctx.exitCode = 2;
    return;
  }
  const format = await loadFormatter();
  let unformatted = 0;
  for (const target of targets) {
    const result = await formatTarget(ctx, target, format);
    if (result.kind === 'failed') {
      ctx.exitCode = 1;
      continue;
    }
    if (printMode) {
      ctx.io.out(result.text);
    } else if (opts.check) {
      if (result.changed) {
        unformatted++;
        ctx.io.out(target.shown);
      }
    } else if (result.changed) {
      try {
        await writeFileAtomic(target.path, result.text);
        ctx.io.out(target.shown);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        report(ctx, [error(FMT_WRITE_FAILED, `cannot write ${target.shown}: ${why}`)]);
        ctx.exitCode = 1;
      }
    }
  }
  if (unformatted > 0) {
    const files = unformatted === 1 ? '1 file is' : `${unformatted} files are`;
    ctx.io.err(`${files} not formatted; run \`lpc fmt --write\` on them`);
    ctx.exitCode = 1;
  }
}

export const fmtCommand: LpcCommand = {
  name: 'fmt',
  register(program, ctx) {
    program
      .command('fmt')
      .description('format .lpnet files in the canonical layout (prints one file, or --check / --write)')
      .argument('<paths...>', '.lpnet files, or folders searched recursively for them')
      .option('--check', 'list the files that are not formatted; exit code 1 if there are any')
      .option('--write', 'rewrite the files in place (atomically) instead of printing')
      .action(async (paths: string[], opts: FmtOptions) => {
        await runFmt(ctx, paths, opts);
      });
  },
};
