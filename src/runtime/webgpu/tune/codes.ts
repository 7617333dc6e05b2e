import type { CodeTable } from '../../../diag/codes.js';

/**
 * Diagnostic codes of kernel tuning (`lpc tune` and the tuning cache it writes), LPC5500-5519.
 * Codes are stable once shipped.
 */
export const TUNE_CODES = {
  CACHE_UNREADABLE: 'LPC5500',
  CACHE_CORRUPT: 'LPC5501',
  CACHE_WRITE_FAILED: 'LPC5502',
  NOTHING_TO_TUNE: 'LPC5503',
  CANDIDATE_FAILED: 'LPC5504',
  CACHE_ADAPTER_AMBIGUOUS: 'LPC5505',
} as const;

const C = TUNE_CODES;

export const tuneCodes: CodeTable = {
  [C.CACHE_UNREADABLE]: {
    summary: 'the tuning cache file exists but could not be read',
    fix: 'check the file\'s permissions, or pass another file with `--cache` / `--tune-cache`',
  },
  [C.CACHE_CORRUPT]: {
    summary: 'the tuning cache file is not a valid lpc tuning cache (bad JSON, another format or version); it is ignored and default kernel configurations are used',
    fix: 'delete the file and run `lpc tune` again',
  },
  [C.CACHE_WRITE_FAILED]: {
    summary: 'the tuning cache could not be written',
    fix: 'check that the folder is writable and the disk is not full, or choose another file with `--cache`',
  },
  [C.NOTHING_TO_TUNE]: {
    summary: 'the net has no layer with several kernel configurations to choose from (only conv and dense kernels are tuned)',
    fix: 'nothing to do: the default kernels are used',
  },
  [C.CANDIDATE_FAILED]: {
    summary: 'a candidate kernel configuration failed to build or run on this adapter, so it was left out of the choice',
    fix: 'nothing to do if another candidate was chosen; please report it with the net and `lpc info --gpu`',
  },
  [C.CACHE_ADAPTER_AMBIGUOUS]: {
    summary: 'the tuning cache holds choices for several adapters, and nothing says which one to compile for',
    fix: 'compile with `--device` on the machine with the adapter, or keep one adapter per cache file',
  },
};
