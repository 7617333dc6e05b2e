/**
 * The commands of the WebGPU backend through runCli: `lpc compile -o` writes OUT/<net>/ (shaders,
 * manifest, plan, graph) atomically and replaces an older folder whole; `lpc run --backend webgpu`
 * prints what the CPU backend prints for fixed-point outputs; `lpc diff` finds no divergence and
 * reports every layer. Without an adapter, the webgpu backend says what to install and that
 * `--backend cpu` exists, and does not fall back.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/main.js';
import { runOnWebgpu } from '../../../src/cli/run/webgpu-run.js';
import { lowerSource } from '../../../src/lower/front-end.js';
import { runPipeline } from '../../../src/passes/pipeline.js';
import { netHarness } from '../../runtime/webgpu/net-harness.js';

const work = mkdtempSync(join(tmpdir(), 'lpc-webgpu-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function lpc(...args: string[]) {
  const io = memoryIO(work);
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

const source = `
type A8 = fixed<4, 4>
net Pools(batch: int = 2) {
  input x: f32[batch, 3, 8, 8]
  a = relu(x) -> A8
  p = max_pool(a, kernel: 2, stride: 2)
  q = tanh(avg_pool(p, kernel: 3, stride: 1, pad: 1)) -> fixed<2, 6>
  output y = add(p, q) -> A8
  output f = flatten(q)
}
`;
writeFileSync(join(work, 'pools.lpnet'), source);

describe('webgpu commands', () => {
  it('lpc compile -o writes OUT/<net>/ with shaders, manifest, plan and graph, atomically', async () => {
    const first = await lpc('compile', 'pools.lpnet', '-o', 'out');
    expect(first.err).toMatch(/wrote out\/Pools\/ \(5 dispatches for 5 nodes, \d+ shaders, parameters 0 bytes as stored/);
    expect(first.code).toBe(0);
    const dir = join(work, 'out', 'Pools');
    expect(readdirSync(join(work, 'out'))).toEqual(['Pools']); // no temporary folder left
    expect(readdirSync(dir).sort()).toEqual(['Pools.d.ts', 'Pools.js', 'Pools.ts', 'graph.json', 'manifest.json', 'package.json', 'plan.ir', 'program.d.ts', 'program.js', 'shaders']);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ format: 'lpc-wgsl-program', version: 1, net: 'Pools', mode: 'inference' });
    expect(m.nodes.map((n: { fused: string[] }) => n.fused.join('+'))).toEqual(['relu+quantize', 'max_pool', 'avg_pool+tanh+quantize', 'add+quantize', 'flatten']);
    expect(m.dispatches).toHaveLength(m.nodes.length);
    expect(readdirSync(join(dir, 'shaders')).sort()).toEqual(m.shaders.map((s: { file: string }) => s.file.replace('shaders/', '')).sort());
    for (const s of m.shaders) expect(readFileSync(join(dir, s.file), 'utf8')).toContain('@compute @workgroup_size(');
    expect(readFileSync(join(dir, 'plan.ir'), 'utf8')).toMatch(/^graph Pools\(batch: 2\)\n/);
    expect(JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8'))).toMatchObject({ format: 'lpc-planned-graph', net: 'Pools' });

    // compiling again replaces the folder whole: a file that no longer belongs in it disappears
    writeFileSync(join(dir, 'shaders', 'stale.wgsl'), '');
    const second = await lpc('compile', 'pools.lpnet', '-o', 'out', '--param', 'batch=1');
    expect(second.code).toBe(0);
    expect(existsSync(join(dir, 'shaders', 'stale.wgsl'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).netParams).toEqual({ batch: 1 });
    expect(readdirSync(join(work, 'out'))).toEqual(['Pools']);
  });

  it('lpc compile -o reports an output path that is a file', async () => {
    writeFileSync(join(work, 'blocker'), 'x');
    const r = await lpc('compile', 'pools.lpnet', '-o', 'blocker');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error LPC9202');
  });

  it('lpc run --backend webgpu prints the results the cpu backend prints', async (ctx) => {
    if (!(await netHarness())) return ctx.skip();
    const gpu = await lpc('run', 'pools.lpnet', '--backend', 'webgpu', '--seed', '5', '--timing');
    expect(gpu.err).not.toContain('error');
    expect(gpu.code).toBe(0);
    const cpu = await lpc('run', 'pools.lpnet', '--seed', '5');
    expect(cpu.code).toBe(0);
    expect(gpu.out).toMatch(/^net Pools\(batch: 2\) on the webgpu backend \(/);
    const results = (text: string) => text.split('\n').filter((l) => l.startsWith('output') || l.startsWith('  values'));
    expect(results(gpu.out)).toEqual(results(cpu.out));
    expect(gpu.out).toMatch(/timing: [\d.]+ ms on the GPU in 5 layers/);
  });

  it('lpc diff reports every layer and no divergence', async (ctx) => {
    if (!(await netHarness())) return ctx.skip();
    const r = await lpc('diff', 'pools.lpnet', '--seed', '3');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^net Pools: webgpu \(.*\) against the cpu reference, 5 layers/);
    expect(lines[1]).toMatch(/^layer +fused +output +max \|Δ\| +max code Δ +boundary flips +end-to-end max \|Δ\| +result$/);
    expect(lines.slice(3, 8).map((l) => l.split(/\s+/)[0])).toEqual(['a', 'p', 'q.avg_pool', 'y', 'f']);
    expect(lines.slice(3, 8).every((l) => l.endsWith('ok'))).toBe(true);
    expect(lines[8]).toMatch(/^no divergence: every layer is within the numerical contract/);
  });

  it('without an adapter, says what to install and that --backend cpu exists, and does not fall back', async () => {
    const planned = runPipeline(lowerSource(source, 'pools.lpnet').graphs[0], { mode: 'inference' });
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    const r = await runOnWebgpu(planned, new Map(), new Map(), {}, { gpu: noAdapter });
    expect(r.result).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LPC5001']);
    expect(r.diagnostics[0].hint).toContain('scripts/install-system.sh');
    expect(r.diagnostics[0].hint).toContain('--backend cpu');
  });
});
