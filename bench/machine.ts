/** What the benchmark ran on: CPU, memory, OS, Node, the WebGPU adapter and the engines' versions. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { describeAdapter, type AdapterDescription } from './engines/dawn.js';

export interface MachineInfo {
  cpuModel: string;
  logicalCores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1, 5 and 15-minute load averages when the run started. */
  loadAverage: number[];
  adapter: AdapterDescription | { error: string };
  /** Versions of the packages that run the engines. */
  packages: Record<string, string>;
  /** Environment settings that change the numbers (lavapipe's thread count). */
  env: Record<string, string>;
}

const PACKAGES = ['webgpu', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu', 'onnxruntime-node'];

function packageVersion(name: string): string {
  try {
    const text = readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  const c = cpus();
  const env: Record<string, string> = {};
  for (const k of ['LP_NUM_THREADS', 'XDG_RUNTIME_DIR']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return {
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    logicalCores: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    adapter: await describeAdapter(),
    packages: Object.fromEntries(PACKAGES.map((p) => [p, packageVersion(p)])),
    env,
  };
}
