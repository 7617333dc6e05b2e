import type { nodeGpu as nodeNodeGpu } from '../../webgpu/node-gpu.js';

/**
 * Browser stand-in for src/runtime/webgpu/node-gpu.ts (the `webgpu` package, a native module).
 * device.ts only loads it outside browsers; a browser without navigator.gpu is told so there.
 */
export const nodeGpu: typeof nodeNodeGpu = () => {
  throw new Error('WebGPU for Node (the `webgpu` package) is not available in a browser build; this browser needs navigator.gpu');
};
