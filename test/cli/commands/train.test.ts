import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/main.js';
import { makeIdx } from '../../runtime/helpers/idx-writer.js';
import { EXPLODING_NET, separableItems, STATEFUL_NET, TINY_NET } from '../../runtime/train/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lpc-train-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A gzipped MNIST-format folder with the separable task of 4x4 images. */
function writeData(name: string, train: number, test: number): void {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const put = (file: string, bytes: Uint8Array) => writeFileSync(join(d, `${file}.gz`), gzipSync(bytes));
  for (const [prefix, n, seed] of [['train', train, 5], ['t10k', test, 6]] as const) {
    const items = separableItems(n, 3, 4, seed);
    put(`${prefix}-images-idx3-ubyte`, makeIdx('u8', [n, 4, 4], [...items.images]));
    put(`${prefix}-labels-idx1-ubyte`, makeIdx('u8', [n], items.labels));
  }
}
writeData('data', 36, 14);
writeFileSync(join(dir, 'tiny.lpnet'), TINY_NET);
writeFileSync(join(dir, 'stateful.lpnet'), STATEFUL_NET);
writeFileSync(join(dir, 'exploding.lpnet'), EXPLODING_NET);
writeFileSync(join(dir, 'fixed-batch.lpnet'), TINY_NET.replace('net Tiny(batch: int = 6, classes: int = 3)', 'net Tiny(classes: int = 3)').replace(/\bbatch\b(?=[,\]])/g, '6').replace('batch 6; ', ''));

async function lpc(...args: string[]) {
  const io = memoryIO(dir);
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('lpc train', () => {
  it('trains, evaluates each epoch, checkpoints, and writes weights, statistics and a metrics log', async () => {
    const r = await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'run1', '--epochs', '2');
    expect(r.err).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/training Tiny on data \(36 training, 14 test items, input \(x - 0\) \* 0\.00392157\) with sgd\(lr: 0\.1, momentum: 0\.9, weight_decay: 0\.0001\), schedule inv\(gamma: 0\.001, power: 0\.75\), batch 6, seed 3/);
    expect(r.err).toMatch(/epoch 1\/2: train loss [\d.]+ acc [\d.]+% \| test loss [\d.]+ acc [\d.]+%/);
    expect(r.err).toContain('checkpoint after step 12');
    expect(r.out).toMatch(/trained Tiny for 12 steps \(2 epochs\) in \S+ on cpu: test accuracy [\d.]+%/);
    expect(r.out).toContain('layer outputs:');
    expect(r.out).toMatch(/h\.dense\s+dense\s+f32/);
    expect(r.out).toMatch(/h\.dense\.weights\s+dense\s+fixed<2, 6>/);
    for (const f of ['run.json', 'checkpoint.json', 'weights.lpw', 'stats.json', 'metrics.jsonl']) expect(existsSync(join(dir, 'run1', f)), f).toBe(true);
    const log = readFileSync(join(dir, 'run1', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log[0]).toMatchObject({ type: 'start', step: 0, resumed: false });
    expect(log.filter((l) => l.type === 'epoch').map((l) => l.epoch)).toEqual([1, 2]);
    const step = log.find((l) => l.type === 'step')!;
    expect(Object.keys(step)).toEqual(expect.arrayContaining(['step', 'epoch', 'loss', 'accuracy', 'lr', 'imagesPerSecond', 'time']));
    const run = JSON.parse(readFileSync(join(dir, 'run1', 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(run).toMatchObject({ net: 'Tiny', data: 'data', batch: 6, seed: 3, epochs: 2, backend: 'cpu', transform: { scale: 1 / 255, mean: [0] } });

    const e = await lpc('eval', 'tiny.lpnet', '--weights', 'run1/weights.lpw', '--data', 'data', '--json', 'eval.json');
    expect(e.code).toBe(0);
    const last = log.filter((l) => l.type === 'epoch').pop() as { testAccuracy: number };
    expect(e.out).toContain(`accuracy ${(100 * last.testAccuracy).toFixed(1)}%`);
    expect(e.out).toContain('layer outputs:');
    const json = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as { accuracy: number; tensors: unknown[] };
    expect(json.accuracy).toBe(last.testAccuracy);
    expect(json.tensors.length).toBeGreaterThan(0);
  });

  it('1 epoch then --resume to 2 epochs gives the same weights, byte for byte, as 2 epochs straight', async () => {
    const common = ['--data', 'data', '--limit-train', '30', '--limit-test', '10', '--param', 'classes=3'];
    expect((await lpc('train', 'stateful.lpnet', ...common, '--out', 'straight', '--epochs', '2')).code).toBe(0);
    expect((await lpc('train', 'stateful.lpnet', ...common, '--out', 'split', '--epochs', '1')).code).toBe(0);
    const resumed = await lpc('train', '--resume', 'split', '--epochs', '2');
    expect(resumed.err).toContain('resuming after step 7 of 14');
    expect(resumed.code).toBe(0);
    const a = readFileSync(join(dir, 'straight', 'weights.lpw'));
    const b = readFileSync(join(dir, 'split', 'weights.lpw'));
    expect(Buffer.compare(a, b)).toBe(0);
    const log = readFileSync(join(dir, 'split', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; resumed?: boolean });
    expect(log.filter((l) => l.type === 'start').map((l) => l.resumed)).toEqual([false, true]);
    expect(log.filter((l) => l.type === 'epoch')).toHaveLength(2);

    const conflict = await lpc('train', '--resume', 'split', '--seed', '4');
    expect(conflict.code).toBe(1);
    expect(conflict.err).toContain('LPC3152');
  });

  it('refuses to overwrite a run folder, and needs --data and --out', async () => {
    const again = await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'run1');
    expect(again.code).toBe(1);
    expect(again.err).toContain('LPC3154');
    expect(again.err).toContain('--resume run1');
    expect((await lpc('train', 'tiny.lpnet', '--data', 'data')).err).toContain('LPC3129');
    expect((await lpc('train', 'tiny.lpnet', '--out', 'x')).err).toContain('LPC3129');
    const noRun = await lpc('train', '--resume', 'nowhere');
    expect(noRun.code).toBe(1);
    expect(noRun.err).toContain('LPC3150');
  });

  it('reports divergence with the step and the layer, and exits 1', async () => {
    const r = await lpc('train', 'exploding.lpnet', '--data', 'data', '--out', 'boom', '--checkpoint-every', '1');
    expect(r.code).toBe(1);
    expect(r.err).toContain("error LPC3140: training diverged at step 2 (epoch 1): the loss is");
    expect(r.err).toContain("the first layer whose output is not finite is 'logits' (dense)");
    expect(r.err).toContain('the last good checkpoint (after step 1)');
    expect(JSON.parse(readFileSync(join(dir, 'boom', 'checkpoint.json'), 'utf8')).state.step).toBe(1);
    expect(existsSync(join(dir, 'boom', 'weights.lpw'))).toBe(false);
  });

  it('explains data and net problems as diagnostics', async () => {
    const missing = await lpc('train', 'tiny.lpnet', '--data', 'no-such-folder', '--out', 'r2');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('LPC3101');
    const small = await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'r3', '--limit-train', '4');
    expect(small.err).toContain('LPC3104');
    const fixed = await lpc('train', 'fixed-batch.lpnet', '--data', 'data', '--out', 'r4', '--batch', '4');
    expect(fixed.err).toContain('LPC3124');
    const classes = await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'r5', '--param', 'classes=2');
    expect(classes.err).toContain('LPC3122');
    const backend = await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'r6', '--backend', 'no-such-backend');
    expect(backend.code).toBe(2);
  });

  it('starts from --weights: the fillers written by init-weights give the same run', async () => {
    expect((await lpc('init-weights', 'tiny.lpnet', '--seed', '3', '-o', 'init.lpw')).code).toBe(0);
    const r = await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'from-init', '--epochs', '2', '--weights', 'init.lpw');
    expect(r.code).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, 'from-init', 'weights.lpw')), readFileSync(join(dir, 'run1', 'weights.lpw')))).toBe(0);
    const bad = await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'from-missing', '--weights', 'missing.lpw');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('LPC3080');
  });

  it('evaluates a net that reports accuracy but has no loss', async () => {
    const net = TINY_NET.replace('loss xent = softmax_cross_entropy(logits, label)', 'output acc = accuracy(logits, label)').replace(/train Tiny \{[^}]*\}/, '');
    writeFileSync(join(dir, 'no-loss.lpnet'), net);
    const r = await lpc('eval', 'no-loss.lpnet', '--weights', 'run1/weights.lpw', '--data', 'data');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Tiny on the data test split \(14 items, .*\): accuracy [\d.]+% \(\d+\/14\)/);
  });

  it('sets the batch through the net parameter', async () => {
    const r = await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'b4', '--batch', '4', '--epochs', '1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('trained Tiny for 9 steps (1 epoch)');
  });
});
