/**
 * The trained LeNet weights in examples/weights/ keep the test accuracy the README reports for
 * them (README "Results on Fashion-MNIST"): `lpc eval` on WebGPU over the 10,000 Fashion-MNIST
 * test images. A change to the weights file format, the kernels or the input transform that
 * loses accuracy fails here. Needs Debian's dataset-fashion-mnist and a WebGPU adapter; skips with
 * a printed reason without them, and fails instead under LPC_REQUIRE_WEBGPU=1 (CI).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { getTestDevice, webgpuRequired } from '../helpers/webgpu.js';

const DATA = '/usr/share/datasets/fashion-mnist';
const root = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;

/** Correct answers out of 10,000 when the weights were shipped (README), and the floor asserted. */
const SHIPPED = [
  { net: 'LeNetF32', weights: 'examples/weights/lenet-f32.lpw', reported: 9058, floor: 9000 },
  { net: 'LeNet8', weights: 'examples/weights/lenet8.lpw', reported: 9097, floor: 9000 },
  { net: 'LeNet', weights: 'examples/weights/lenet4.lpw', reported: 8803, floor: 8700 },
];

async function evalCorrect(net: string, weights: string): Promise<number> {
  const io = memoryIO();
  const code = await runCli(['eval', root('examples/lenet.lpnet'), '--net', net, '--weights', root(weights), '--data', 'fashion-mnist', '--backend', 'webgpu'], io);
  const out = io.stdout.join('\n');
  expect(code, io.stderr.join('\n')).toBe(0);
  const m = /accuracy [\d.]+% \((\d+)\/10000\)/.exec(out);
  expect(m, out).not.toBeNull();
  return Number(m![1]);
}

describe('the shipped LeNet weights (examples/weights)', () => {
  it.for(SHIPPED)('$net ($weights) classifies the 10,000 test images as reported', { timeout: 180_000 }, async (s, ctx) => {
    if (!existsSync(DATA)) {
      if (webgpuRequired) throw new Error(`${DATA} is missing: run bash scripts/install-system.sh`);
      console.warn(`[fashion-mnist] skipping: ${DATA} is missing (apt-get install dataset-fashion-mnist)`);
      return ctx.skip();
    }
    if (!(await getTestDevice())) return ctx.skip();
    const correct = await evalCorrect(s.net, s.weights);
    // The WebGPU evaluation is deterministic on one adapter; other adapters may round f32 sums
    // differently (docs/numerics.md), so a few answers may change, never many.
    expect(Math.abs(correct - s.reported)).toBeLessThanOrEqual(20);
    expect(correct).toBeGreaterThanOrEqual(s.floor);
  });
});
