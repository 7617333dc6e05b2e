import type { CodeTable } from '../diag/codes.js';

/**
 * Diagnostic codes of the WGSL program planner (LPC5200-5249): turning a planned graph into a
 * WgslProgram (src/codegen/wgsl/program.ts). Codes are stable once shipped. The other slices of
 * LPC5xxx: LPC5000-5099 the WebGPU runtime (src/runtime/webgpu/codes.ts), LPC5100-5149 the WGSL
 * emission library (src/codegen/wgsl/lib/codes.ts).
 *
 *   LPC5200-5209  what the net asks of the backend (ops without kernels, graphs not planned)
 *   LPC5210-5219  a kernel generator broke the kernel contract (lpc bugs, reported at the layer)
 */
export const CODEGEN_CODES = {
  NO_KERNEL: 'LPC5200',
  NO_ELEMENTWISE_KERNEL: 'LPC5201',
  GRAPH_NOT_PLANNED: 'LPC5202',

  KERNEL_GENERATOR_FAILED: 'LPC5210',
  DISPATCH_CONTRACT: 'LPC5211',
} as const;

const C = CODEGEN_CODES;

export const codegenCodes: CodeTable = {
  [C.NO_KERNEL]: {
    summary: 'a layer uses an op that has no WGSL kernel in this build of lpc, so the net cannot run on the webgpu backend',
    fix: 'run the net with `--backend cpu`, or replace the op by one that has a kernel (`lpc ops` lists them)',
  },
  [C.NO_ELEMENTWISE_KERNEL]: {
    summary: 'an op fused after a layer (an epilogue) has no elementwise WGSL form, so the fused layer cannot be generated',
    fix: 'run the net with `--backend cpu`; please report the net, since fusion should not fold an op the backend cannot apply',
  },
  [C.GRAPH_NOT_PLANNED]: {
    summary: 'the graph given to the WGSL planner did not go through the pass pipeline without errors',
    fix: 'fix the errors the passes reported first (`lpc compile` shows them)',
  },
  [C.KERNEL_GENERATOR_FAILED]: {
    summary: 'the WGSL generator of an op failed on a layer',
    fix: 'this is a bug in lpc; please report it with the net and `lpc info --gpu`; `--backend cpu` runs the net meanwhile',
  },
  [C.DISPATCH_CONTRACT]: {
    summary: 'a kernel returned a dispatch that does not match its shader (a binding without a tensor, an unknown tensor, a missing uniform)',
    fix: 'this is a bug in lpc\'s kernel generator; please report it with the net; `--backend cpu` runs the net meanwhile',
  },
};
