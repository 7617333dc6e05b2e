import type { LpcCommand } from '../command.js';

/** Every `lpc` subcommand, one module each. Adding a command: one file and one line here. */
export const commands: LpcCommand[] = [];
