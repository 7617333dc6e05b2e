import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/main.js';
import { makeIdx } from '../../runtime/helpers/idx-writer.js';
import { separableItems, STATEFUL_NET } from '../../runtime/train/helpers.js';

/**
 * The acceptance test for checkpoints: kill `lpc train` for real (SIGKILL, no chance to
 * clean up) in the middle of a run, resume it, and end with the same weights as a run that was
 * never interrupted. Runs the CLI from source in a child process (node --import tsx).
 */

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lpc-train-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeData(train: number, test: number): void {
  const d = join(dir, 'data');
  mkdirSync(d, { recursive: true });
  for (const [prefix, n, seed] of [['train', train, 5], ['t10k', test, 6]] as const) {
    const items = separableItems(n, 3, 4, seed);
    writeFileSync(join(d, `${prefix}-images-idx3-ubyte`), makeIdx('u8', [n, 4, 4], [...items.images]));
    writeFileSync(join(d, `${prefix}-labels-idx1-ubyte`), makeIdx('u8', [n], items.labels));
  }
}

const checkpointStep = (run: string): number => {
  try {
    return (JSON.parse(readFileSync(join(dir, run, 'checkpoint.json'), 'utf8')) as { state: { step: number } }).state.step;
  } catch {
    return -1; // not written yet
  }
};

/** Starts `lpc train` from source in a child process in the test folder. */
function startTrain(args: string[]) {
  // tsx's loader by path: the child runs in the temporary folder, where `--import tsx` would not resolve
  const tsx = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, join(repo, 'src/cli/bin.ts'), ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const out = { stderr: '', finished: false };
  child.stderr?.on('data', (b: Buffer) => (out.stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then(() => (out.finished = true));
  return { child, exited, out };
}

async function waitForCheckpoint(run: string, step: number, out: { finished: boolean; stderr: string }): Promise<void> {
  while (!out.finished && checkpointStep(run) < step) await new Promise((r) => setTimeout(r, 20));
  expect(out.finished, `the child ended before it could be interrupted:\n${out.stderr}`).toBe(false);
}

writeData(300, 12);
writeFileSync(join(dir, 'net.lpnet'), STATEFUL_NET);
const args = ['train', 'net.lpnet', '--data', 'data', '--epochs', '4', '--checkpoint-every', '30'];

describe('lpc train killed mid-run', () => {
  it('resumes from its last checkpoint and ends with the weights of an uninterrupted run', async () => {
    const { child, exited, out } = startTrain([...args, '--out', 'killed']);
    await waitForCheckpoint('killed', 30, out);
    child.kill('SIGKILL');
    await exited;
    const at = checkpointStep('killed');
    expect(at).toBeGreaterThanOrEqual(30);
    expect(at).toBeLessThan(300);
    expect(existsSync(join(dir, 'killed', 'weights.lpw'))).toBe(false);

    const io = memoryIO(dir);
    expect(await runCli(['train', '--resume', 'killed'], io)).toBe(0);
    expect(io.stderr.join('\n')).toContain(`resuming after step ${at} of 300`);
    expect(await runCli([...args, '--out', 'straight'], memoryIO(dir))).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, 'killed', 'weights.lpw')), readFileSync(join(dir, 'straight', 'weights.lpw')))).toBe(0);

    // the log reads as one run: steps logged after the checkpoint by the killed process were cut
    const steps = readFileSync(join(dir, 'killed', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step: number })
      .filter((l) => l.type === 'step')
      .map((l) => l.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(steps.length);
  });

  it('stops cleanly on Ctrl-C (SIGINT) after a checkpoint, with exit code 130', async () => {
    const { child, exited, out } = startTrain([...args, '--out', 'interrupted']);
    await waitForCheckpoint('interrupted', 30, out);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const at = checkpointStep('interrupted');
    expect(out.stderr).toContain(`stopped after step ${at}; continue with: lpc train --resume interrupted`);
  });
});
