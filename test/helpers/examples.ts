/**
 * The example nets of examples/*.lpnet, lowered (and planned) the way `lpc compile` does, for the
 * golden, explain, fusion and memory tests that hold the passes to real nets.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { checkFile } from '../../src/lower/front-end.js';
import { nodeSourceHost } from '../../src/parser/node-host.js';
import { runPipeline, type CompileMode, type PipelineResult } from '../../src/passes/pipeline.js';
import { REPO_ROOT } from './golden.js';

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** The example files' names (`lenet.lpnet`), sorted. */
export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.lpnet'))
    .sort();
}

/** `lenet.lpnet` -> `lenet`. */
export function exampleStem(file: string): string {
  return basename(file, '.lpnet');
}

/** Every net of an example, lowered with its default parameters (or `params`); fails the test on any diagnostic. */
export function lowerExample(file: string, params: Record<string, string> = {}): Graph[] {
  const r = checkFile(join(EXAMPLES_DIR, file), nodeSourceHost, { params });
  expect(r.diagnostics, `diagnostics of examples/${file}`).toEqual([]);
  expect(r.graphs.length, `examples/${file} defines nets`).toBeGreaterThan(0);
  return r.graphs;
}

/** One net of an example, lowered. */
export function lowerExampleNet(file: string, net: string, params: Record<string, string> = {}): Graph {
  const g = lowerExample(file, params).find((x) => x.name === net);
  if (!g) throw new Error(`examples/${file} has no net '${net}'`);
  return g;
}

/** One net of an example through the pass pipeline; fails the test unless it plans without diagnostics. */
export function planExampleNet(file: string, net: string, mode: CompileMode = 'inference', params: Record<string, string> = {}): PipelineResult {
  const r = runPipeline(lowerExampleNet(file, net, params), { mode });
  expect(r.diagnostics, `diagnostics planning ${net}`).toEqual([]);
  expect(r.ok).toBe(true);
  return r;
}
