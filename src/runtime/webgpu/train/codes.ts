import type { CodeTable } from '../../../diag/codes.js';

/**
 * Diagnostic codes of the WebGPU training backend (LPC5300-5349, in the WGSL and WebGPU range).
 * Codes are stable once shipped. Generator failures and contract breaks of backward kernels reuse
 * the planner's LPC5210 / LPC5211; GPU errors the device layer's LPC5010-5021.
 */
export const WEBGPU_TRAIN_CODES = {
  NO_BACKWARD_KERNEL: 'LPC5300',
  UNSUPPORTED_GRAPH: 'LPC5301',
} as const;

const C = WEBGPU_TRAIN_CODES;

export const webgpuTrainCodes: CodeTable = {
  [C.NO_BACKWARD_KERNEL]: {
    summary: 'a layer the net trains through has no WGSL backward kernel in this build of lpc, so the net cannot be trained on the webgpu backend',
    fix: 'train with `--backend cpu`; `lpc eval --backend webgpu` still runs the trained net',
  },
  [C.UNSUPPORTED_GRAPH]: {
    summary: 'the training graph has a shape the WebGPU trainer does not handle (a node with several outputs, a tensor too large to index)',
    fix: 'train with `--backend cpu`; please report the net',
  },
};
