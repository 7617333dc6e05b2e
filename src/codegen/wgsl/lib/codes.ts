import type { CodeTable } from '../../../diag/codes.js';

/**
 * Diagnostic codes of the WGSL emission library (LPC5100-5149): a kernel that does not fit the
 * adapter's limits. Raised while a kernel is generated, before any device call, so the message can
 * name the limit and the adapter's value. Codes are stable once shipped.
 */
export const WGSL_LIB_CODES = {
  WORKGROUP_TOO_LARGE: 'LPC5100',
  WORKGROUP_MEMORY_EXCEEDED: 'LPC5101',
  TOO_MANY_STORAGE_BINDINGS: 'LPC5102',
} as const;

const C = WGSL_LIB_CODES;

export const wgslLibCodes: CodeTable = {
  [C.WORKGROUP_TOO_LARGE]: {
    summary: 'a kernel asks for a workgroup larger than the adapter allows',
    fix: 'this is a bug in the kernel generator (it must size workgroups from the adapter limits); report it with the net and `lpc info --gpu`',
  },
  [C.WORKGROUP_MEMORY_EXCEEDED]: {
    summary: 'a kernel declares more workgroup memory than the adapter offers',
    fix: 'this is a bug in the kernel generator (tiles must fit maxComputeWorkgroupStorageSize); report it with the net and `lpc info --gpu`',
  },
  [C.TOO_MANY_STORAGE_BINDINGS]: {
    summary: 'a kernel needs more storage buffers than the adapter allows in one shader',
    fix: 'a tensor split into many chunks uses one binding per chunk: use an adapter with a larger maxStorageBufferBindingSize, a narrower type, or `--backend cpu`',
  },
};
