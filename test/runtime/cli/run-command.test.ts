import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/main.js';
import { decodeLpw } from '../../../src/runtime/weights/lpw-read.js';
import { makeIdx } from '../helpers/idx-writer.js';

const NET = `
type W = fixed<2, 6>
type A = fixed<4, 4>
net Small(batch: int = 3) {
  input image: f32[batch, 1, 6, 6]
  input label: i32[batch]
  c1 = relu(conv(image, filters: 4, kernel: 3, weights: W)) -> A
  p1 = max_pool(c1, kernel: 2, stride: 2)
  logits = dense(p1, units: 7, weights: W)
  output probs = softmax(logits)
  loss xent = softmax_cross_entropy(logits, label)
}
net Other() {
  input x: f32[1, 2]
  output y = relu(x)
}
`;

const dir = mkdtempSync(join(tmpdir(), 'lpc-run-'));
writeFileSync(join(dir, 'small.lpnet'), NET);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lpc(...args: string[]) {
  const io = memoryIO(dir);
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('lpc run', () => {
  it('runs with random weights and inputs, and says so', async () => {
    const r = await lpc('run', 'small.lpnet', '--net', 'Small', '--seed', '4');
    expect(r.err).toMatch(/weights: none given, so random ones from the fillers \(seed 4\)/);
    expect(r.err).toMatch(/input image: none given, so random data \(seed 4\)/);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('net Small(batch: 3) on the cpu backend');
    expect(lines[1]).toBe('output probs: f32[3, 7]');
    expect(lines[2]).toMatch(/^ {2}values: (\S+ ){8}\.\.\. \(21 values\)$/);
    for (let item = 0; item < 3; item++) {
      const line = lines.find((l) => l.startsWith(`  item ${item} top-5: `))!;
      const probs = [...line.matchAll(/(\d+) \(([\d.e-]+)\)/g)].map((m) => Number(m[2]));
      expect(probs).toHaveLength(5);
      expect([...probs].sort((a, b) => b - a)).toEqual(probs);
    }
    expect(lines[lines.length - 1]).toMatch(/^loss xent: \d+\.\d+$/);
    // the same seed gives the same run
    expect((await lpc('run', 'small.lpnet', '--net', 'Small', '--seed', '4')).out).toBe(r.out);
    expect((await lpc('run', 'small.lpnet', '--net', 'Small', '--seed', '5')).out).not.toBe(r.out);
  });

  it('runs with weights from init-weights and inputs from IDX files, writing JSON', async () => {
    const init = await lpc('init-weights', 'small.lpnet', '--net', 'Small', '--seed', '7', '-o', 'w.lpw');
    expect(init.code).toBe(0);
    expect(init.out).toBe('wrote w.lpw: 4 tensors, 159 parameters (636 bytes of f32) for net Small, seed 7');
    const file = decodeLpw(new Uint8Array(readFileSync(join(dir, 'w.lpw'))), 'w.lpw');
    expect(file.contents?.net).toBe('Small');
    expect(file.contents?.tensors.map((t) => t.name)).toEqual(['c1.conv.weights', 'c1.conv.bias', 'logits.weights', 'logits.bias']);

    const pixels = Array.from({ length: 5 * 36 }, (_, i) => (i * 53) % 256);
    writeFileSync(join(dir, 'images.gz'), gzipSync(makeIdx('u8', [5, 6, 6], pixels)));
    writeFileSync(join(dir, 'labels.idx'), makeIdx('u8', [5], [6, 0, 3, 3, 1]));
    const r = await lpc(
      'run', 'small.lpnet', '--net', 'Small', '--weights', 'w.lpw',
      '--input', 'image=images.gz', '--input', 'label=labels.idx', '--scale', '0.00390625', '--out', 'out.json',
    );
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/random/);
    expect(r.err).toMatch(/took the first 3 of 5 items for input 'image'/);
    const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(json).toMatchObject({ net: 'Small', backend: 'cpu', seed: 1, weights: 'w.lpw', randomInputs: [] });
    expect(json.outputs.probs.shape).toEqual([3, 7]);
    expect(json.outputs.probs.type).toBe('f32');
    expect(json.outputs.probs.values).toHaveLength(21);
    for (let row = 0; row < 3; row++) {
      const sum = json.outputs.probs.values.slice(7 * row, 7 * row + 7).reduce((a: number, b: number) => a + b, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
    }
    expect(json.losses.xent.shape).toEqual([]);
    // the loss printed is the mean of -log p[label] over the three labelled items
    const expected = -[6, 0, 3].reduce((a, label, row) => a + Math.log(json.outputs.probs.values[7 * row + label]), 0) / 3;
    expect(Math.abs(json.losses.xent.values[0] - expected)).toBeLessThan(1e-5);
  });

  it('accepts the cpu and webgpu backends only', async () => {
    const r = await lpc('run', 'small.lpnet', '--net', 'Small', '--backend', 'tpu');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/argument 'tpu' is invalid\. Allowed choices are cpu, webgpu/);
  });

  it('reports bad weights files, unknown inputs, bad data and ambiguous nets as diagnostics', async () => {
    writeFileSync(join(dir, 'junk.lpw'), 'not weights');
    const junk = await lpc('run', 'small.lpnet', '--net', 'Small', '--weights', 'junk.lpw');
    expect(junk.code).toBe(1);
    expect(junk.err).toMatch(/error LPC3001: junk\.lpw: not an lpc weights file/);

    const unknown = await lpc('run', 'small.lpnet', '--net', 'Small', '--input', 'imgae=images.gz');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/error LPC3045: --input imgae=images\.gz: net 'Small' has no input 'imgae'/);
    expect(unknown.err).toMatch(/hint: did you mean `image`\?/);
    expect((await lpc('run', 'small.lpnet', '--net', 'Small', '--input', 'labels=x')).err).toMatch(/did you mean `label`\?/);

    writeFileSync(join(dir, 'bad-labels.idx'), makeIdx('u8', [3], [1, 9, 2]));
    const labels = await lpc('run', 'small.lpnet', '--net', 'Small', '--input', 'label=bad-labels.idx');
    expect(labels.code).toBe(1);
    expect(labels.err).toMatch(/error LPC3066: .*label 9 at position 1 is not a class index in 0\.\.6/);
    expect(labels.err).toMatch(/--> small\.lpnet:11:15/);

    const ambiguous = await lpc('run', 'small.lpnet');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toMatch(/error LPC3070: small\.lpnet defines 2 nets \(Small, Other\); which one\?/);

    const badSeed = await lpc('run', 'small.lpnet', '--seed', '-3');
    expect(badSeed.code).toBe(2);

    const otherNet = await lpc('run', 'small.lpnet', '--net', 'Other', '--weights', 'w.lpw');
    expect(otherNet.code).toBe(1);
    expect(otherNet.err).toMatch(/warning LPC3024/);
    expect(otherNet.err).toMatch(/error LPC3021: w\.lpw: tensor 'c1\.conv\.weights' \[4, 1, 3, 3\] is not a parameter of net 'Other'/);

    const missing = await lpc('run', 'nope.lpnet');
    expect(missing.code).toBe(1);
  });
});
