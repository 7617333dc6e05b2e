import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/main.js';
import { readLpwFile } from '../../../src/runtime/weights/lpw-read.js';
import { makeIdx } from '../../runtime/helpers/idx-writer.js';
import { separableItems, TINY_NET } from '../../runtime/train/helpers.js';

/** `lpc train --no-master-weights` / `--master-weights` and the train section's `master_weights`. */

const dir = mkdtempSync(join(tmpdir(), 'lpc-train-masters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = join(dir, 'data');
mkdirSync(data);
for (const [prefix, n, seed] of [['train', 24, 5], ['t10k', 12, 6]] as const) {
  const items = separableItems(n, 3, 4, seed);
  writeFileSync(join(data, `${prefix}-images-idx3-ubyte`), makeIdx('u8', [n, 4, 4], [...items.images]));
  writeFileSync(join(data, `${prefix}-labels-idx1-ubyte`), makeIdx('u8', [n], items.labels));
}
writeFileSync(join(dir, 'tiny.lpnet'), TINY_NET);
writeFileSync(join(dir, 'tiny-stored.lpnet'), TINY_NET.replace('batch 6; epochs 2; seed 3', 'batch 6; epochs 2; seed 3; master_weights false'));

async function lpc(...args: string[]) {
  const io = memoryIO(dir);
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

const runRecord = (run: string) => JSON.parse(readFileSync(join(dir, run, 'run.json'), 'utf8')) as { masterWeights?: boolean };

/** The trained `h.dense.weights` (declared fixed<2, 6>) as weights.lpw holds it: f32 values. */
function denseWeights(run: string): Float64Array {
  const r = readLpwFile(join(dir, run, 'weights.lpw'));
  const t = r.contents?.tensors.find((x) => x.name === 'h.dense.weights');
  if (!t) throw new Error(`no h.dense.weights in ${run}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return t.data;
}
const onGrid = (data: Float64Array) => data.every((v) => Number.isInteger(v * 64));

describe('lpc train and master weights', () => {
  it('--no-master-weights stores the typed weights in their type; the run records it and a resume keeps it', async () => {
    const r = await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'stored', '--epochs', '1', '--no-master-weights');
    expect(r.code).toBe(0);
    expect(r.err).toContain('seed 3, no master weights (1 parameter stored in its declared fixed-point type), on CPU reference');
    expect(runRecord('stored').masterWeights).toBe(false);
    expect(onGrid(denseWeights('stored'))).toBe(true);

    const refused = await lpc('train', '--resume', 'stored', '--epochs', '2', '--master-weights');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('LPC3152');
    expect(refused.err).toContain('--master-weights would change that');

    const resumed = await lpc('train', '--resume', 'stored', '--epochs', '2');
    expect(resumed.code).toBe(0);
    expect(resumed.err).toContain('no master weights');
    expect(onGrid(denseWeights('stored'))).toBe(true);
  });

  it('keeps f32 master weights by default, and the train section\'s master_weights false is obeyed unless overridden', async () => {
    const plain = await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'masters', '--epochs', '1');
    expect(plain.code).toBe(0);
    expect(plain.err).not.toContain('master weights');
    expect(runRecord('masters').masterWeights).toBe(true);
    expect(onGrid(denseWeights('masters'))).toBe(false);

    const section = await lpc('train', 'tiny-stored.lpnet', '--data', 'data', '--out', 'section', '--epochs', '1');
    expect(section.code).toBe(0);
    expect(runRecord('section').masterWeights).toBe(false);
    expect(onGrid(denseWeights('section'))).toBe(true);
    // the same run as --no-master-weights on the plain net
    expect((await lpc('train', 'tiny.lpnet', '--data', 'data', '--out', 'flag', '--epochs', '1', '--no-master-weights')).code).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, 'section', 'weights.lpw')), readFileSync(join(dir, 'flag', 'weights.lpw')))).toBe(0);

    const overridden = await lpc('train', 'tiny-stored.lpnet', '--data', 'data', '--out', 'overridden', '--epochs', '1', '--master-weights');
    expect(overridden.code).toBe(0);
    expect(runRecord('overridden').masterWeights).toBe(true);
    expect(Buffer.compare(readFileSync(join(dir, 'overridden', 'weights.lpw')), readFileSync(join(dir, 'masters', 'weights.lpw')))).toBe(0);
  });
});
