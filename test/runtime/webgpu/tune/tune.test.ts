/**
 * `lpc tune` and its cache: tuning a tiny conv+dense net writes a choice per layer, each one of
 * the op's candidates; compiling with the cache puts those configurations in the manifest; a run
 * with the tuned configurations gives the same codes as one with the defaults; an unknown adapter
 * in the cache is ignored; a corrupt cache is a warning, not a crash. Also the wall-clock path.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../../../src/cli/io.js';
import { runCli } from '../../../../src/cli/main.js';
import { buildWgslProgram } from '../../../../src/codegen/wgsl/program.js';
import { initWeights } from '../../../../src/runtime/cpu/init-weights.js';
import { randomInput } from '../../../../src/runtime/data/random-inputs.js';
import { createWebgpuNet } from '../../../../src/runtime/webgpu/executor.js';
import { adapterKey, readTuneCache, type TuneCache } from '../../../../src/runtime/webgpu/tune/cache.js';
import { opCandidates } from '../../../../src/runtime/webgpu/tune/candidates.js';
import { tunedConfigs } from '../../../../src/runtime/webgpu/tune/config-for.js';
import { tuneNet } from '../../../../src/runtime/webgpu/tune/measure.js';
import { requestShapeKey } from '../../../../src/runtime/webgpu/tune/shape-key.js';
import { TUNE_CODES } from '../../../../src/runtime/webgpu/tune/codes.js';
import { lowerNet, netHarness, planNet } from '../net-harness.js';

const work = mkdtempSync(join(tmpdir(), 'lpc-tune-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const source = `
type W8 = fixed<2, 6>
type A8 = fixed<4, 4>
net Tiny(batch: int = 2) {
  input image: f32[batch, 3, 8, 8]
  c1 = relu(conv(image, filters: 8, kernel: 3, pad: 1, weights: W8, bias: W8)) -> A8
  f1 = dense(c1, units: 16, weights: W8, bias: W8) -> A8
  output f1
}
`;
writeFileSync(join(work, 'tiny.lpnet'), source);

async function lpc(...args: string[]) {
  const io = memoryIO(work);
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as unknown;

describe('lpc tune', () => {
  it('writes a choice per conv/dense layer, each one of the candidates, and compile puts them in the manifest', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const r = await lpc('tune', 'tiny.lpnet', '--runs', '2', '--cache', 'cache/tune.json');
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/layer \S+ \(conv\)/);
    expect(r.out).toMatch(/chosen: .*x the default/);

    const cache = readJson(join(work, 'cache/tune.json')) as TuneCache;
    const tuning = cache.adapters[adapterKey(h.device.capabilities.adapter)];
    expect(tuning).toBeDefined();
    const planned = planNet(lowerNet(source));
    const program = buildWgslProgram(planned, h.device.wgsl).program!;
    const tunable = program.nodes.filter((n) => opCandidates(n.op, n.request!).length > 1);
    expect(tunable.map((n) => n.op).sort()).toEqual(['conv', 'dense']);
    for (const n of tunable) {
      const entry = tuning.entries[requestShapeKey(n.op, n.request!)];
      expect(entry, n.id).toBeDefined();
      const candidates = opCandidates(n.op, n.request!).map((c) => JSON.stringify(c));
      expect(candidates).toContain(JSON.stringify(entry.config));
      expect(entry.candidates.length).toBe(candidates.length);
      for (const c of entry.candidates) expect(c.medianMs).toBeGreaterThanOrEqual(0);
    }

    const c = await lpc('compile', 'tiny.lpnet', '-o', 'out', '--device', '--tune-cache', 'cache/tune.json');
    expect(c.code).toBe(0);
    const manifest = readJson(join(work, 'out/Tiny/manifest.json')) as { nodes: { id: string; op: string; config: Record<string, number> | null }[] };
    for (const n of tunable) {
      const node = manifest.nodes.find((m) => m.id === n.id)!;
      expect(node.config).toEqual(tuning.entries[requestShapeKey(n.op, n.request!)].config);
    }
  }, 60_000);

  it('gives the same codes with every tuned configuration as with the defaults', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const graph = lowerNet(source);
    const planned = planNet(graph);
    const weights = initWeights(graph, 3);
    const inputs = new Map(graph.inputs.map((id) => [id, randomInput(graph, graph.values.get(id)!, 3)]));
    const base = buildWgslProgram(planned, h.device.wgsl).program!;
    const counts = base.nodes.map((n) => opCandidates(n.op, n.request!).length);
    const codesWith = async (k: number) => {
      const configFor = (req: Parameters<typeof opCandidates>[1], op: string) => {
        const cs = opCandidates(op, req);
        return cs.length > 0 ? cs[Math.min(k, cs.length - 1)] : undefined;
      };
      const program = buildWgslProgram(planned, h.device.wgsl, { configFor }).program!;
      const net = await createWebgpuNet(h.device, program, weights, { cache: h.cache });
      try {
        return (await net.run(inputs)).codes.get(program.outputs[0].value)!;
      } finally {
        net.destroy();
      }
    };
    const reference = await codesWith(0);
    for (let k = 1; k < Math.max(...counts); k++) expect(Array.from(await codesWith(k)), `candidate ${k + 1}`).toEqual(Array.from(reference));
  }, 60_000);

  it('ignores choices for an unknown adapter and a corrupt cache (a warning), using the defaults', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const planned = planNet(lowerNet(source));
    const other = { vendor: 'acme', architecture: 'x', device: 'y', description: 'Acme GPU' };
    const base = buildWgslProgram(planned, h.device.wgsl).program!;
    const conv = base.nodes.find((n) => n.op === 'conv')!;
    const candidates = opCandidates('conv', conv.request!);
    const entry = { op: 'conv', config: candidates[candidates.length - 1], candidates: [], runs: 1, clock: 'wall' };
    const path = join(work, 'other.json');
    writeFileSync(path, JSON.stringify({ format: 'lpc-tune-cache', version: 1, adapters: { [adapterKey(other)]: { adapter: other, entries: { [requestShapeKey('conv', conv.request!)]: entry } } } }));
    expect(tunedConfigs(path, h.device.capabilities.adapter).configFor).toBeUndefined();
    // The same file used for that adapter does apply the choice: the test above is not vacuous.
    const forOther = tunedConfigs(path, other).configFor!;
    expect(forOther(conv.request!, 'conv')).toEqual(candidates[candidates.length - 1]);

    mkdirSync(join(work, '.lpc'), { recursive: true });
    writeFileSync(join(work, '.lpc/tune-cache.json'), '{"format": "lpc-tune-cache", ');
    const read = readTuneCache(join(work, '.lpc/tune-cache.json'));
    expect(read.diagnostics.map((d) => d.code)).toEqual([TUNE_CODES.CACHE_CORRUPT]);
    const r = await lpc('compile', 'tiny.lpnet', '-o', 'out2', '--device');
    expect(r.code).toBe(0);
    expect(r.err).toContain(TUNE_CODES.CACHE_CORRUPT);
    const manifest = readJson(join(work, 'out2/Tiny/manifest.json')) as { nodes: { config: unknown }[] };
    expect(manifest.nodes.every((n) => n.config === null)).toBe(true);
    const run = await lpc('run', 'tiny.lpnet', '--backend', 'webgpu');
    expect(run.code).toBe(0);
    expect(run.err).toContain(TUNE_CODES.CACHE_CORRUPT);
  }, 60_000);

  it('measures with the wall clock where there are no timestamps', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const planned = planNet(lowerNet(source));
    const r = await tuneNet(h.device, planned, { runs: 1, clock: 'wall' });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.layers.map((l) => l.op).sort()).toEqual(['conv', 'dense']);
    for (const l of r.layers) {
      expect(l.entry.clock).toBe('wall');
      expect(l.entry.candidates.map((c) => JSON.stringify(c.config))).toContain(JSON.stringify(l.entry.config));
    }
  }, 60_000);
});
