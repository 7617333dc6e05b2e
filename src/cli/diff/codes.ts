import type { CodeTable } from '../../diag/codes.js';

/** Codes of `lpc diff` (LPC9220-9229, a slice of the command-line range in src/diag/codes.ts). */
export const DIFF_CODES = {
  DIVERGENCE: 'LPC9220',
} as const;

export const diffCodes: CodeTable = {
  [DIFF_CODES.DIVERGENCE]: {
    summary: 'the webgpu backend computed a layer differently from the CPU reference, beyond what the numerical contract allows',
    fix: 'this is a bug in lpc (a kernel or the reference); please report it with the net, the weights, the input and `lpc info --gpu`; `--backend cpu` gives the reference results meanwhile',
  },
};
