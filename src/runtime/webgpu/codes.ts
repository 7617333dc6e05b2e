import type { CodeTable } from '../../diag/codes.js';

/**
 * Diagnostic codes of the WebGPU runtime (LPC5000-5099): getting a device, GPU errors turned into
 * messages that name the kernel or layer, buffers that do not fit the adapter. Codes are stable
 * once shipped. (LPC5100-5149 belong to the WGSL emission library: src/codegen/wgsl/lib/codes.ts.)
 *
 *   LPC5000-5009  device acquisition
 *   LPC5010-5019  errors reported by the GPU (validation, out of memory, internal, shaders)
 *   LPC5020-5029  buffers and limits
 *   LPC5030-5039  the net executor (executor.ts)
 */
export const WEBGPU_CODES = {
  WEBGPU_UNAVAILABLE: 'LPC5000',
  NO_ADAPTER: 'LPC5001',
  DEVICE_REQUEST_FAILED: 'LPC5002',
  DEVICE_LOST: 'LPC5003',

  GPU_VALIDATION: 'LPC5010',
  GPU_OUT_OF_MEMORY: 'LPC5011',
  GPU_INTERNAL: 'LPC5012',
  SHADER_COMPILE: 'LPC5013',
  PIPELINE_CREATE: 'LPC5014',

  TENSOR_TOO_LARGE: 'LPC5020',
  READBACK_FAILED: 'LPC5021',

  INPUT_NOT_STORABLE: 'LPC5030',
  NET_DESTROYED: 'LPC5031',
  UNKNOWN_VALUE: 'LPC5032',
} as const;

const C = WEBGPU_CODES;

export const webgpuCodes: CodeTable = {
  [C.WEBGPU_UNAVAILABLE]: {
    summary: 'no WebGPU implementation is available (no navigator.gpu in this browser, or the `webgpu` package could not be loaded in Node)',
    fix: 'in Node run `npm install` (the `webgpu` package ships Dawn); in a browser enable WebGPU; or run with `--backend cpu`',
  },
  [C.NO_ADAPTER]: {
    summary: 'WebGPU found no adapter (no GPU driver, and no CPU implementation such as Mesa lavapipe)',
    fix: 'install Mesa lavapipe with `bash scripts/install-system.sh` (or a GPU driver with Vulkan), or run with `--backend cpu`',
  },
  [C.DEVICE_REQUEST_FAILED]: {
    summary: 'the adapter refused to create a device with the limits and features lpc asked for',
    fix: 'update the GPU driver (or Mesa), or run with `--backend cpu`; please report the message with `lpc info --gpu`',
  },
  [C.DEVICE_LOST]: {
    summary: 'the GPU device was lost while running (driver reset, out of memory, or the process was suspended)',
    fix: 'run again; if it repeats, use a smaller batch or `--backend cpu`',
  },
  [C.GPU_VALIDATION]: {
    summary: 'the GPU rejected a command lpc issued for a kernel or layer (WebGPU validation error)',
    fix: 'this is a bug in lpc; please report it with the net, the command and `lpc info --gpu`',
  },
  [C.GPU_OUT_OF_MEMORY]: {
    summary: 'the GPU ran out of memory allocating buffers for a layer',
    fix: 'use a smaller batch, narrower fixed-point types, or `--backend cpu`',
  },
  [C.GPU_INTERNAL]: {
    summary: 'the WebGPU implementation failed internally on a kernel (often a shader too large for the driver)',
    fix: 'update the GPU driver (or Mesa); please report it with `lpc info --gpu`',
  },
  [C.SHADER_COMPILE]: {
    summary: 'a generated WGSL shader did not compile',
    fix: 'this is a bug in lpc\'s code generator; please report it with the net and `lpc info --gpu`',
  },
  [C.PIPELINE_CREATE]: {
    summary: 'the GPU could not create the compute pipeline of a kernel',
    fix: 'this is a bug in lpc or the driver; please report it with the net and `lpc info --gpu`',
  },
  [C.TENSOR_TOO_LARGE]: {
    summary: 'a tensor needs more storage than the adapter can bind, even split into chunks',
    fix: 'use a narrower fixed-point type or a smaller batch, an adapter with larger limits, or `--backend cpu`',
  },
  [C.INPUT_NOT_STORABLE]: {
    summary: 'a value given for a net input cannot be stored in the input\'s number type (an i32 input needs whole numbers within 32 bits)',
    fix: 'check the input data: labels are whole numbers, other inputs finite',
  },
  [C.NET_DESTROYED]: {
    summary: 'a WebGPU net was run after it was destroyed (its buffers are gone)',
    fix: 'create the net again; this is a bug in the program that called lpc',
  },
  [C.UNKNOWN_VALUE]: {
    summary: 'a value was asked of a WebGPU run that the net does not compute or the run did not keep',
    fix: 'ask for a value id of the planned graph (`lpc compile --emit ir` lists them), and capture it in the run',
  },
  [C.READBACK_FAILED]: {
    summary: 'reading a result back from the GPU failed',
    fix: 'the device was probably lost; run again, or use `--backend cpu`',
  },
};
