import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../../src/runtime/train/checkpoint.js';
import { MetricsLog } from '../../../src/runtime/train/metrics-log.js';
import { trainedParams } from '../../../src/runtime/train/session.js';
import { separableDataset, STATEFUL_NET } from './helpers.js';
import { prepare, sameBits, train } from './loop-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'lpc-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('checkpoint and resume', () => {
  const p = prepare(STATEFUL_NET);
  const data = separableDataset(22, 9); // 5 steps per epoch (2 items dropped), 3 test batches
  const load = (dir: string) => {
    const r = readCheckpoint(dir, p.setup.graph, p.settings.solver.kind, trainedParams(p.setup));
    if (!r.checkpoint) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
    return r.checkpoint;
  };

  it('2 epochs straight = 1 epoch + resume for 1: identical weights, statistics and solver state, bit for bit', async () => {
    const straight = await train(p, data, { epochs: 2, runDir: join(root, 'straight') });
    expect(straight.outcome.status).toBe('finished');
    expect(straight.outcome.state.step).toBe(10);

    const first = await train(p, data, { epochs: 1, runDir: join(root, 'split') });
    expect(first.outcome.status).toBe('finished');
    expect(sameBits(first.params, straight.params)).toBe(false);
    const ckpt = load(join(root, 'split'));
    expect(ckpt.state).toMatchObject({ step: 5, epoch: 1, stepInEpoch: 0 });
    const second = await train(p, data, { epochs: 2, runDir: join(root, 'split'), resume: ckpt });
    expect(second.outcome.status).toBe('finished');
    expect(sameBits(second.params, straight.params)).toBe(true);
    expect(sameBits(second.solver, straight.solver)).toBe(true);
    expect(second.outcome.state.history).toEqual(
      straight.outcome.state.history.map((e, i) => ({ ...e, seconds: second.outcome.state.history[i].seconds })),
    );
  });

  it('a run stopped inside an epoch continues exactly from its checkpoint', async () => {
    const straight = await train(p, data, { epochs: 2 });
    const dir = join(root, 'mid');
    mkdirSync(dir);
    const metrics = new MetricsLog(join(dir, 'metrics.jsonl'));
    let steps = 0;
    const stopped = await train(p, data, { epochs: 2, runDir: dir, metrics, display: 1, shouldStop: () => ++steps === 3 });
    expect(stopped.outcome.status).toBe('stopped');
    expect(stopped.outcome.lastCheckpoint).toBe(3);
    const ckpt = load(dir);
    expect(ckpt.state).toMatchObject({ step: 3, epoch: 0, stepInEpoch: 3 });
    // steps logged after the checkpoint are cut from the log when resuming
    metrics.append({ type: 'step', step: 4 });
    metrics.truncateTo(ckpt.metricsBytes);
    const lines = readFileSync(metrics.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number });
    expect(lines.filter((l) => l.type === 'step').map((l) => l.step)).toEqual([1, 2, 3]);

    const resumed = await train(p, data, { epochs: 2, runDir: dir, metrics, resume: ckpt });
    expect(resumed.outcome.status).toBe('finished');
    expect(sameBits(resumed.params, straight.params)).toBe(true);
  });

  it('keeps only the latest checkpoint folder', async () => {
    const dir = join(root, 'every');
    const r = await train(p, data, { epochs: 1, runDir: dir, checkpointEvery: 2 });
    expect(r.outcome.lastCheckpoint).toBe(5);
    const ckpt = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { weights: string };
    expect(ckpt.weights).toBe(join('checkpoints', 'step-00000005', 'weights.lpw'));
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['step-00000005']);
  });
});
