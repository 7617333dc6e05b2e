import type { LpcCommand } from '../command.js';
import { allCodes, lookupCode } from '../diagnostic-codes.js';

/** `lpc codes [CODE]`: what a diagnostic code means and what to do about it; all codes without an argument. */
export const codesCommand: LpcCommand = {
  name: 'codes',
  register(program, ctx) {
    program
      .command('codes')
      .description('explain a diagnostic code (e.g. `lpc codes LPC1201`), or list them all')
      .argument('[code]', 'a code such as LPC1201')
      .action((code: string | undefined) => {
        if (code === undefined) {
          for (const c of allCodes()) ctx.io.out(`${c.code}  ${c.doc.summary}`);
          return;
        }
        const entry = lookupCode(code);
        if (!entry) {
          ctx.io.err(`error: no diagnostic code \`${code}\`; run \`lpc codes\` for the list`);
          ctx.exitCode = 1;
          return;
        }
        ctx.io.out(`${entry.code} (${entry.area}): ${entry.doc.summary}`);
        if (entry.doc.fix) ctx.io.out(`what to do: ${entry.doc.fix}`);
      });
  },
};
