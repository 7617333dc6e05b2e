import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';

const repo = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'lpc-compile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function lpc(...args: string[]) {
  const io = memoryIO(repo);
  const code = await runCli(['compile', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

function netFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const tiny = `
type A8 = fixed<4, 4>
type W8 = fixed<2, 6>
net Tiny(batch: int = 2) {
  input x: f32[batch, 3, 6, 6]
  input label: i32[batch]
  q = quantize(x, to: A8)
  c = relu(conv(q, filters: 4, kernel: 3, weights: W8)) -> A8
  logits = dense(c, units: 3, weights: W8)
  loss xent = softmax_cross_entropy(logits, label)
}
`;

describe('lpc compile', () => {
  it('prints the planned IR of one net with --emit ir', async () => {
    const r = await lpc('examples/lenet.lpnet', '--net', 'LeNet8', '--emit', 'ir');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^graph LeNet8\(batch: 64, classes: 10\)\n/);
    expect(r.out).toContain('quantizes: [%logits/c1.weights -> fixed<2, 6>] epilogue: [quantize {to: fixed<4, 4>}]');
    expect(r.out).not.toContain('= quantize(');
    expect(r.out).not.toContain('backward');
  });

  it('prints the IR before the passes with --emit ir-lowered', async () => {
    const r = await lpc('examples/lenet.lpnet', '--net', 'LeNet8', '--emit', 'ir-lowered');
    expect(r.code).toBe(0);
    expect(r.out).toContain('weights: fixed<2, 6> -> fixed<4, 4>');
    expect(r.out).not.toContain('epilogue');
  });

  it('explains layers, fusion and memory with --explain', async () => {
    const r = await lpc('examples/lenet.lpnet', '--net', 'LeNet8', '--explain', '--param', 'batch=8');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^net LeNet8\nlayer +op +input +output +weights +bias +accumulator +params +bytes +MACs\n/);
    expect(r.out).toContain('dense+bias+relu+quantize');
    expect(r.out).toMatch(/total \(9 nodes\) +431,080/);
    expect(r.out).toContain('fusion: 19 nodes -> 9 nodes');
    expect(r.out).toMatch(/memory \(inference\): peak [\d.]+ KiB/);
  });

  it('adds the backward plan and the training memory peak in training mode', async () => {
    const file = netFile('tiny.lpnet', tiny);
    const ir = await lpc(file, '--mode', 'training', '--emit', 'ir');
    expect(ir.code).toBe(0);
    expect(ir.out).toContain('backward seeds [%xent.grad = 1]');
    expect(ir.out).toContain('  step c.conv: [%c.grad] -> inputs [-] params [%c.conv.weights.grad, %c.conv.bias.grad]');
    const ex = await lpc(file, '--mode', 'training', '--emit', 'explain');
    expect(ex.out).toMatch(/memory \(training\): peak/);
  });

  it('prints one summary line per net by default', async () => {
    const r = await lpc('examples/lenet.lpnet');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      expect.stringMatching(/^LeNet \(inference\): 12 nodes lowered, 9 planned; 431,080 parameters/),
      expect.stringMatching(/^LeNet8 \(inference\)/),
      expect.stringMatching(/^LeNetF32 \(inference\)/),
    ]);
  });

  it('writes OUT/<net>/ with the WGSL program, the IR and the planned graph with -o, leaving no temporary files', async () => {
    const out = join(work, 'out');
    const r = await lpc(netFile('tiny2.lpnet', tiny), '-o', out, '--mode', 'training');
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['Tiny']);
    const dir = join(out, 'Tiny');
    expect(readdirSync(dir).sort()).toEqual(['graph.json', 'manifest.json', 'plan.ir', 'shaders']);
    expect(readFileSync(join(dir, 'plan.ir'), 'utf8')).toMatch(/^graph Tiny\(batch: 2\)/);
    const m = JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8'));
    expect(m).toMatchObject({ format: 'lpc-planned-graph', version: 1, net: 'Tiny', mode: 'training' });
    expect(m.nodes.map((n: { id: string }) => n.id)).toEqual(['q', 'c.conv', 'logits', 'xent']);
    expect(m.nodes[1].epilogue.map((e: { op: string }) => e.op)).toEqual(['relu', 'quantize']);
    expect(m.nodes[1].accumulator).toMatchObject({ kind: 'i32', bound: 127 * 127 * 27 });
    expect(m.values.find((v: { id: string }) => v.id === 'c')).toMatchObject({ dtype: 'fixed<4, 4>', shape: [2, 4, 4, 4], bytes: 128 });
    expect(m.params.find((p: { id: string }) => p.id === 'c.conv.weights')).toMatchObject({ stored: 'fixed<2, 6>', storedBytes: 108 });
    expect(m.memory.training.peakBytes).toBeGreaterThan(m.memory.inference.peakBytes);
    expect(m.backward.paramGrads['logits.weights']).toBe('logits.weights.grad');
    const program = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(program).toMatchObject({ format: 'lpc-wgsl-program', version: 1, net: 'Tiny', mode: 'training' });
    expect(program.nodes.map((n: { id: string }) => n.id)).toEqual(['q', 'c.conv', 'logits', 'xent']);
    expect(r.err).toContain('wrote');
    expect(r.err).toContain('Tiny/');
  });

  it('reports a too narrow accumulator at the layer, and exits 1', async () => {
    const r = await lpc(netFile('narrow.lpnet', tiny.replace('weights: W8))', 'weights: W8, acc: fixed<16, 0>))')));
    expect(r.code).toBe(1);
    expect(r.err).toContain("error LPC2001: layer 'c.conv'");
    expect(r.err).toContain('narrow.lpnet:8:');
    expect(r.err).toContain('it needs 20 bits');
  });

  it('reports a missing loss when compiling for training', async () => {
    const r = await lpc('examples/lenet.lpnet', '--net', 'LeNet', '--mode', 'training');
    expect(r.code).toBe(0);
    const noLoss = await lpc(netFile('noloss.lpnet', tiny.replace('loss xent', 'output xent')), '--mode', 'training');
    expect(noLoss.code).toBe(1);
    expect(noLoss.err).toContain('error LPC2010');
  });

  it('rejects a malformed --param (exit 2), a file without nets, and an output path that is a file', async () => {
    expect((await lpc('examples/lenet.lpnet', '--param', 'batch')).code).toBe(2);
    const empty = await lpc(netFile('types.lpnet', 'type A = fixed<4, 4>\n'));
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('error LPC9201');
    const blocker = netFile('not-a-folder', 'x');
    const w = await lpc(netFile('tiny3.lpnet', tiny), '-o', blocker);
    expect(w.code).toBe(1);
    expect(w.err).toContain('error LPC9202');
  });

  it('passes front-end errors through with their codes', async () => {
    const r = await lpc(netFile('bad.lpnet', tiny.replace('conv(q', 'cnov(q')));
    expect(r.code).toBe(1);
    expect(r.err).toContain('LPC1201');
  });
});
