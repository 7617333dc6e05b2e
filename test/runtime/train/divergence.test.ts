import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../../src/runtime/train/checkpoint.js';
import { trainedParams } from '../../../src/runtime/train/session.js';
import { EXPLODING_NET, separableDataset } from './helpers.js';
import { prepare, train } from './loop-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'lpc-diverge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));


describe('divergence', () => {
  it('stops at the first non-finite loss, names the step and the first non-finite layer, and keeps the last good checkpoint', async () => {
    const p = prepare(EXPLODING_NET);
    const dir = join(root, 'run');
    const r = await train(p, separableDataset(30, 6), { runDir: dir, checkpointEvery: 1 });
    expect(r.outcome.status).toBe('diverged');
    const d = r.outcome.diagnostics[0];
    expect(d.code).toBe('LPC3140');
    expect(d.message).toMatch(/^training diverged at step 2 \(epoch 1\): the loss is (NaN|Infinity); the first layer whose output is not finite is 'logits' \(dense\)$/);
    expect(d.notes.map((n) => n.message).join('\n')).toContain(`the last good checkpoint (after step 1) is kept in ${dir}`);
    // the step that diverged changed nothing, and the checkpoint of step 1 is intact and finite
    expect(r.outcome.state.step).toBe(1);
    const ckpt = readCheckpoint(dir, p.setup.graph, p.settings.solver.kind, trainedParams(p.setup));
    expect(ckpt.diagnostics).toEqual([]);
    expect(ckpt.checkpoint!.state.step).toBe(1);
    for (const [id, t] of ckpt.checkpoint!.params) {
      expect(t.data.every(Number.isFinite), id).toBe(true);
      expect([...t.data]).toEqual([...r.params.get(id)!.data]);
    }
  });

  it('says when no checkpoint was written before the divergence', async () => {
    const r = await train(prepare(EXPLODING_NET), separableDataset(30, 6), { runDir: join(root, 'none') });
    expect(r.outcome.status).toBe('diverged');
    expect(r.outcome.diagnostics[0].notes.map((n) => n.message)).toContain('no checkpoint had been written yet');
  });
});
