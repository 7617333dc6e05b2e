import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/main.js';

const LENET = `type W8 = fixed<2, 6>
type A8 = fixed<4, 4>
net LeNet(batch: int = 64, classes: int = 10) {
  input image: f32[batch, 1, 28, 28]
  input label: i32[batch]
  c1 = conv(image, filters: 20, kernel: 5, weights: W8) -> A8
  p1 = max_pool(c1, kernel: 2, stride: 2)
  c2 = conv(p1, filters: 50, kernel: 5, weights: W8) -> A8
  p2 = max_pool(c2, kernel: 2, stride: 2)
  f1 = relu(dense(p2, units: 500, weights: W8)) -> A8
  logits = dense(f1, units: classes, weights: W8)
  output probs = softmax(logits)
  loss xent = softmax_cross_entropy(logits, label)
}
`;

const BAD = `net N {
  input x: f32[1, 4]
  a = rleu(x)
  output y = dense(x, units: 0)
}
`;

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpc-check-'));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lenet.lpnet'), LENET);
  writeFileSync(join(dir, 'bad.lpnet'), BAD);
  writeFileSync(join(dir, 'lib', 'types.lpnet'), 'type A8 = fixed<4, 4>\n');
  writeFileSync(join(dir, 'uses-lib.lpnet'), 'import "lib/types.lpnet"\nnet N {\n  input x: f32[1, 4]\n  output y = relu(x) -> A9\n}\n');
  writeFileSync(join(dir, 'quiet.lpnet'), 'net N {\n  input x: f32[1, 4]\n  y = relu(x)\n}\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(...args: string[]) {
  const io = memoryIO(dir);
  const code = await runCli(['check', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('lpc check', () => {
  it('says ok with the net, node and parameter counts, exit 0', async () => {
    const r = await check('lenet.lpnet');
    expect(r).toEqual({ code: 0, out: 'lenet.lpnet: ok (1 net, 9 nodes, 431,080 parameters)', err: '' });
  });

  it('prints every diagnostic as a snippet and a summary of the count, exit 1', async () => {
    const r = await check('bad.lpnet');
    expect(r.code).toBe(1);
    expect(r.out).toBe('bad.lpnet: 2 errors');
    const lines = r.err.split('\n');
    // The last line is the hint from the dense op's attribute doc, owned by the op.
    expect(lines[11]).toMatch(/^  = hint: /);
    expect(lines.slice(0, 11).join('\n')).toBe(
      [
        'error LPC1201: unknown op or block `rleu`',
        ' --> bad.lpnet:3:7',
        '  |',
        '3 |   a = rleu(x)',
        '  |       ^^^^',
        '  = hint: did you mean `relu`?',
        'error LPC1206: `units` of `dense` must be at least 1, got 0',
        ' --> bad.lpnet:4:30',
        '  |',
        '4 |   output y = dense(x, units: 0)',
        '  |                              ^',
      ].join('\n'),
    );
  });

  it('prints one line per diagnostic with --format oneline, and checks several files', async () => {
    const r = await check('lenet.lpnet', 'bad.lpnet', '--format', 'oneline');
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      'bad.lpnet:3:7: error LPC1201: unknown op or block `rleu`',
      'bad.lpnet:4:30: error LPC1206: `units` of `dense` must be at least 1, got 0',
    ]);
    expect(r.out.split('\n')).toEqual(['lenet.lpnet: ok (1 net, 9 nodes, 431,080 parameters)', 'bad.lpnet: 2 errors']);
  });

  it('applies --net and --param', async () => {
    const r = await check('lenet.lpnet', '--net', 'LeNet', '--param', 'classes=100', '--param', 'batch=1');
    expect(r.out).toBe('lenet.lpnet: ok (1 net, 9 nodes, 476,170 parameters)');
    const unknown = await check('lenet.lpnet', '--net', 'Lenet', '--format', 'oneline');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe('error LPC1223: no net `Lenet` in lenet.lpnet');
    const badParam = await check('lenet.lpnet', '--param', 'batch');
    expect(badParam.code).toBe(2);
    expect(badParam.err).toBe('lpc check: --param expects name=value, got `batch`');
  });

  it('resolves imports relative to the file and shows relative names', async () => {
    const r = await check('uses-lib.lpnet', '--format', 'oneline');
    expect(r.err).toBe('uses-lib.lpnet:4:25: error LPC1300: unknown type `A9`');
    expect(r.out).toBe('uses-lib.lpnet: 1 error');
  });

  it('counts warnings without failing', async () => {
    const r = await check('quiet.lpnet', '--format', 'oneline');
    expect(r).toEqual({
      code: 0,
      out: 'quiet.lpnet: ok (1 net, 1 node, 0 parameters), 1 warning',
      err: 'quiet.lpnet:1:5: warning LPC1230: net `N` has no `output` or `loss`',
    });
  });

  it('reports a missing file', async () => {
    const r = await check('missing.lpnet', '--format', 'oneline');
    expect(r.code).toBe(1);
    expect(r.err).toBe('error LPC1101: cannot read `missing.lpnet`: the file does not exist');
  });
});
