import type { CodeTable } from '../../diag/codes.js';

/**
 * Codes of `lpc compile` (LPC9200-9219, a slice of the command-line range in src/diag/codes.ts).
 * Errors found in the net keep the front end's (LPC1xxx) and the passes' (LPC2xxx) codes.
 */
export const COMPILE_CODES = {
  BAD_PARAM: 'LPC9200',
  NO_NET: 'LPC9201',
  WRITE_FAILED: 'LPC9202',
} as const;

export const compileCodes: CodeTable = {
  [COMPILE_CODES.BAD_PARAM]: {
    summary: '`--param` was not given as name=value',
    fix: 'write one option per parameter, e.g. `--param batch=32`',
  },
  [COMPILE_CODES.NO_NET]: {
    summary: 'the file given to `lpc compile` defines no net',
    fix: 'compile the file that holds the `net NAME(...) { ... }` section; files of blocks and types are imported by it',
  },
  [COMPILE_CODES.WRITE_FAILED]: {
    summary: 'the output folder of `lpc compile -o` could not be created or written',
    fix: 'check that the path is a folder (or can be made one), that it is writable, and that the disk is not full',
  },
};
