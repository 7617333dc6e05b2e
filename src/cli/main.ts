import { Command, CommanderError } from 'commander';
import { DiagnosticError } from '../diag/diagnostic.js';
import { renderSnippet } from '../diag/render.js';
import type { CommandContext, LpcCommand } from './command.js';
import { commands } from './commands/index.js';
import { processIO, type CliIO } from './io.js';
import { version } from './version.js';

/**
 * Runs `lpc` with the given arguments (without `node` and the script name) and returns the exit
 * code. Every failure a user can cause ends as a rendered diagnostic and a non-zero code; an
 * unexpected exception is reported as an internal error with a request to file it, never as a
 * bare stack trace (set LPC_DEBUG=1 to see the trace).
 */
export async function runCli(argv: string[], io: CliIO = processIO(), extra: LpcCommand[] = []): Promise<number> {
  const ctx: CommandContext = { io, exitCode: 0 };
  const program = new Command();
  program
    .name('lpc')
    .description('lpc: a compiler for low-precision neural nets (.lpnet, Caffe) to WGSL and a TypeScript runtime')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run `lpc help` or `lpc <command> --help` for usage)');
  for (const c of [...commands, ...extra]) c.register(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors exit 2 (commander already printed the message)
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof DiagnosticError) {
      for (const d of e.diagnostics) io.err(renderSnippet(d, { color: io.color }));
      return 1;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`internal error: ${msg}`);
    io.err('this is a bug in lpc; please report it with the command you ran (LPC_DEBUG=1 shows the stack trace)');
    if (process.env.LPC_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return 70;
  }
}
