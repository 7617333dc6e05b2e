/** Every benchmarked engine, in the order they run on each job. */
import type { Engine } from './engine.js';
import { LpcWebGpuEngine } from './lpc.js';
import { LpcCpuEngine } from './lpc-cpu.js';
import { OnnxRuntimeCpuEngine } from './onnxruntime.js';
import { TfjsWebGpuEngine } from './tfjs-webgpu.js';

export const ENGINE_IDS = ['onnxruntime-cpu', 'tfjs-webgpu', 'tfjs-webgpu-timer', 'lpc-webgpu', 'lpc-cpu'] as const;

export function allEngines(): Engine[] {
  return [new OnnxRuntimeCpuEngine(), new TfjsWebGpuEngine('tfjs'), new TfjsWebGpuEngine('timer'), new LpcWebGpuEngine(), new LpcCpuEngine()];
}
