/**
 * The README's first command (the main job on an example net) keeps working: its `npx lpc ...`
 * steps, taken from the README itself, run through the CLI and succeed (the `out/` folder is
 * redirected to a temporary one). The installation steps before them are what .ci/run does.
 * Needs a WebGPU adapter and Fashion-MNIST like the command; skips without them, and fails
 * instead under LPC_REQUIRE_WEBGPU=1 (CI).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { getTestDevice, webgpuRequired } from '../helpers/webgpu.js';

const README = new URL('../../README.md', import.meta.url).pathname;

/** The `lpc` steps of the first set-up command (the first shell line that installs and then runs lpc). */
function firstCommandSteps(readme: string): string[][] {
  const line = readme.split('\n').find((l) => l.startsWith('bash scripts/install-system.sh && npm ci && npx lpc '));
  if (!line) throw new Error('README has no first command of the form `bash scripts/install-system.sh && npm ci && npx lpc ...`');
  return line
    .split(' && ')
    .filter((step) => step.startsWith('npx lpc '))
    .map((step) => step.slice('npx lpc '.length).split(/\s+/));
}

describe("the README's first command", () => {
  it('is install, npm ci, then lpc steps that compile and run an example net', () => {
    const steps = firstCommandSteps(readFileSync(README, 'utf8'));
    expect(steps.map((s) => s[0])).toEqual(['compile', 'eval']);
  });

  it('its lpc steps succeed', { timeout: 300_000 }, async (ctx) => {
    if (!existsSync('/usr/share/datasets/fashion-mnist')) {
      if (webgpuRequired) throw new Error('Fashion-MNIST is missing: run bash scripts/install-system.sh');
      console.warn('[fashion-mnist] skipping: /usr/share/datasets/fashion-mnist is missing');
      return ctx.skip();
    }
    if (!(await getTestDevice())) return ctx.skip();
    const out = mkdtempSync(join(tmpdir(), 'lpc-readme-'));
    try {
      for (const step of firstCommandSteps(readFileSync(README, 'utf8'))) {
        const args = step.map((a) => (a === 'out/' ? out : a));
        const io = memoryIO();
        const code = await runCli(args, io);
        expect(code, `lpc ${step.join(' ')}\n${io.stderr.join('\n')}`).toBe(0);
      }
      expect(existsSync(join(out, 'LeNet8', 'manifest.json'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
