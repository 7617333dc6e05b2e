import type { Command } from 'commander';
import type { CliIO } from './io.js';

/**
 * One `lpc` subcommand. `register` adds it to the program; its action sets `ctx.exitCode`
 * (0 ok, 1 diagnostics/failure, 2 usage error) instead of exiting, so commands run in-process.
 */
export interface CommandContext {
  io: CliIO;
  exitCode: number;
}

export interface LpcCommand {
  name: string;
  register(program: Command, ctx: CommandContext): void;
}
