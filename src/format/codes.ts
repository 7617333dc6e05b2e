import type { CodeTable } from '../diag/codes.js';

/**
 * Codes of `lpc fmt` (LPC9100-9149, a slice of the command-line range in src/diag/codes.ts).
 * Syntax errors in the formatted file keep the parser's own codes (LPC1xxx).
 */
export const FMT_OUTPUT_CHANGES_PROGRAM = 'LPC9100';
export const FMT_PATH_NOT_FOUND = 'LPC9101';
export const FMT_NO_LPNET_FILES = 'LPC9102';
export const FMT_READ_FAILED = 'LPC9103';
export const FMT_WRITE_FAILED = 'LPC9104';
export const FMT_USAGE = 'LPC9105';

export const formatCodes: CodeTable = {
  [FMT_OUTPUT_CHANGES_PROGRAM]: {
    summary: 'the formatter produced text that would parse to a different program, so it was not used',
    fix: 'this is a bug in lpc fmt; the file was left untouched. Please report it with the file attached.',
  },
  [FMT_PATH_NOT_FOUND]: {
    summary: 'a file or folder given to `lpc fmt` does not exist',
    fix: 'check the path; it is resolved relative to the current directory.',
  },
  [FMT_NO_LPNET_FILES]: {
    summary: 'a folder given to `lpc fmt` holds no .lpnet files',
    fix: 'pass .lpnet files or a folder that contains some (folders are searched recursively).',
  },
  [FMT_READ_FAILED]: {
    summary: 'a file given to `lpc fmt` could not be read',
    fix: 'check that it is a readable text file.',
  },
  [FMT_WRITE_FAILED]: {
    summary: '`lpc fmt --write` could not write the formatted file back',
    fix: 'check the permissions of the file and its folder; the original file is unchanged.',
  },
  [FMT_USAGE]: {
    summary: '`lpc fmt` options do not fit together',
    fix: 'use `--check` to list unformatted files or `--write` to rewrite them, not both; without either, pass one file to print it.',
  },
};
