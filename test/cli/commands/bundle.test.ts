/**
 * `lpc compile -o` writes a net's folder as a package (typed module, compiled .js and .d.ts, its
 * data, package.json, packed weights with --weights), and `lpc bundle` makes one ES module file of
 * it: for browsers with no Node import at all (checked in the text and by running the file in Node
 * with Dawn standing in for navigator.gpu: it gives the bits the runtime gives), for Node with
 * only the `webgpu` package left to import.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../../src/cli/io.js';
import { bundleModule } from '../../../src/cli/bundle/build-bundle.js';
import { runCli } from '../../../src/cli/main.js';
import type { NetBundle } from '../../../src/codegen/ts/bundle-format.js';
import { BundledNet } from '../../../src/runtime/bundle/index.js';
import { nodeGpu } from '../../../src/runtime/webgpu/node-gpu.js';
import { netHarness } from '../../runtime/webgpu/net-harness.js';
import { REPO_ROOT } from '../../helpers/golden.js';

const work = mkdtempSync(join(tmpdir(), 'lpc-bundle-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function lpc(...args: string[]) {
  const io = memoryIO(work);
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

/** The modules a JavaScript text imports (static, dynamic, require), by the TypeScript pre-processor. */
function importsOf(js: string): string[] {
  const info = ts.preProcessFile(js, true, true);
  return [...new Set(info.importedFiles.map((f) => f.fileName))].sort();
}

const LENET = join(REPO_ROOT, 'examples/lenet.lpnet');
const dir = join(work, 'out', 'LeNet8');

let compiled: Promise<void> | undefined;
function compileLeNet8(): Promise<void> {
  compiled ??= (async () => {
    const init = await lpc('init-weights', LENET, '--net', 'LeNet8', '--param', 'batch=2', '-o', 'w.lpw', '--seed', '3');
    expect(init.code, init.err).toBe(0);
    const r = await lpc('compile', LENET, '--net', 'LeNet8', '--param', 'batch=2', '-o', 'out', '--weights', 'w.lpw');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/wrote out\/LeNet8\/ \(.*; module LeNet8\.ts, weights\.lpw\)/);
  })();
  return compiled;
}

describe('lpc compile -o: the net as a package', () => {
  it('writes the typed module, its compiled forms, its data, package.json and packed weights', async () => {
    await compileLeNet8();
    expect(readdirSync(dir).sort()).toEqual([
      'LeNet8.d.ts',
      'LeNet8.js',
      'LeNet8.ts',
      'graph.json',
      'manifest.json',
      'package.json',
      'plan.ir',
      'program.d.ts',
      'program.js',
      'shaders',
      'weights.lpw',
    ]);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'lenet8', type: 'module', main: './LeNet8.js', types: './LeNet8.d.ts', peerDependencies: { lpc: expect.stringMatching(/^\^/) } });
    const ts = readFileSync(join(dir, 'LeNet8.ts'), 'utf8');
    expect(ts).toContain("from 'lpc/runtime'");
    expect(ts).toContain('/** `f32[2, 1, 28, 28]`: 1568 values in NCHW order. Takes 1 to 2 items of 784 values. */');
    expect(importsOf(readFileSync(join(dir, 'LeNet8.js'), 'utf8'))).toEqual(['./program.js', 'lpc/runtime']);
    expect(readFileSync(join(dir, 'LeNet8.d.ts'), 'utf8')).toContain('infer(inputs: LeNet8Inputs, options?: RunOptions): Promise<LeNet8Outputs>;');

    // program.js is the manifest, the shaders and the graph beside it, in one module
    const data = readFileSync(join(dir, 'program.js'), 'utf8');
    const bundle = JSON.parse(data.slice(data.indexOf('{'), data.lastIndexOf('}') + 1)) as NetBundle;
    expect(bundle.manifest).toEqual(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
    for (const s of bundle.manifest.shaders) expect(bundle.shaders[s.key]).toBe(readFileSync(join(dir, s.file), 'utf8'));
    expect(bundle.training?.plan.steps.length).toBeGreaterThan(0);

    // 8-bit weights stored as codes: about a quarter of the f32 file
    const packed = readFileSync(join(dir, 'weights.lpw')).length;
    const masters = readFileSync(join(work, 'w.lpw')).length;
    expect(packed).toBeLessThan(masters * 0.3);
  });

  it('writes no module for a training program, and says how to get one', async () => {
    const r = await lpc('compile', LENET, '--net', 'LeNet8', '--param', 'batch=2', '--mode', 'training', '-o', 'train-out');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/no TypeScript module for a training program \(compile with --mode inference for one\)/);
    expect(existsSync(join(work, 'train-out', 'LeNet8', 'LeNet8.ts'))).toBe(false);
  });

  it('refuses --weights of another net, naming the tensors', async () => {
    await compileLeNet8();
    const other = await lpc('init-weights', LENET, '--net', 'LeNet8', '--param', 'batch=2', '--param', 'classes=5', '-o', 'w5.lpw');
    expect(other.code).toBe(0);
    const r = await lpc('compile', LENET, '--net', 'LeNet8', '--param', 'batch=2', '-o', 'out5', '--weights', 'w5.lpw');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/LPC3022.*logits\.weights/s);
    expect(existsSync(join(work, 'out5', 'LeNet8'))).toBe(false);
  });
});

describe('lpc bundle', () => {
  it('--browser: one ES module with no Node imports that runs on navigator.gpu and gives the runtime\'s bits', async (ctx) => {
    await compileLeNet8();
    const r = await lpc('bundle', 'out/LeNet8', '--browser');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/wrote out\/LeNet8\/LeNet8\.browser\.js \(browser ES module, [\d.]+ KiB minified, [\d.]+ KiB gzipped\)/);
    const file = join(dir, 'LeNet8.browser.js');
    const js = readFileSync(file, 'utf8');
    expect(importsOf(js)).toEqual([]);
    expect(js).not.toMatch(/["']node:[a-z_/]+["']/);
    expect(js).not.toMatch(/from\s*["']webgpu["']|import\(\s*["']webgpu["']\s*\)/);
    expect(js).toContain('@compute @workgroup_size('); // the shaders are inside

    const h = await netHarness();
    if (!h) return ctx.skip();
    const image = Float32Array.from({ length: 2 * 784 }, (_, i) => (Math.cos(i * 0.11) + 1) / 2);
    const weights = new Uint8Array(readFileSync(join(dir, 'weights.lpw')));
    const data = readFileSync(join(dir, 'program.js'), 'utf8');
    const reference = await BundledNet.create(JSON.parse(data.slice(data.indexOf('{'), data.lastIndexOf('}') + 1)) as NetBundle, h.device);
    await reference.loadWeights(weights);
    const expected = await reference.infer({ image });
    reference.destroy();

    const hadNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: nodeGpu() }, configurable: true, writable: true });
    try {
      const mod = (await import(pathToFileURL(file).href)) as { LeNet8: { create(): Promise<{ loadWeights(w: Uint8Array): Promise<void>; infer(i: { image: Float32Array }): Promise<{ probs: Float32Array }>; destroy(): void }> } };
      const net = await mod.LeNet8.create();
      await net.loadWeights(weights);
      const got = await net.infer({ image });
      expect(Array.from(got.probs)).toEqual(Array.from(expected.probs));
      net.destroy();
    } finally {
      if (hadNavigator) Object.defineProperty(globalThis, 'navigator', hadNavigator);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });

  it('given the output folder of lpc compile -o, bundles each net in it; the runtime brings no npm package', async () => {
    await compileLeNet8();
    const r = await lpc('bundle', 'out', '--browser', '--no-minify');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/wrote out\/LeNet8\/LeNet8\.browser\.js \(browser ES module, [\d.]+ KiB, /);
    const made = await bundleModule({ entry: join(dir, 'LeNet8.js'), outfile: join(work, 'check.js'), browser: true, minify: true });
    expect(made.diagnostics).toEqual([]);
    expect(made.inputs!.filter((i) => i.path.includes('node_modules'))).toEqual([]);
  });

  it('for Node: one ES module that imports only the webgpu package', async () => {
    await compileLeNet8();
    const r = await lpc('bundle', 'out/LeNet8', '-o', 'node-bundle/lenet8.mjs', '--no-minify');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/wrote node-bundle\/lenet8\.mjs \(Node ES module, /);
    expect(importsOf(readFileSync(join(work, 'node-bundle/lenet8.mjs'), 'utf8')).filter((s) => !s.startsWith('node:'))).toEqual(['webgpu']);
  });

  it('reports a path that is no bundle, and an app that imports Node modules for the browser', async () => {
    mkdirSync(join(work, 'empty'), { recursive: true });
    const none = await lpc('bundle', 'empty', '--browser');
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/LPC5420.*has no package\.json/s);
    writeFileSync(join(work, 'app.ts'), "import { readFileSync } from 'node:fs';\nexport const text = readFileSync('x', 'utf8');\n");
    const app = await lpc('bundle', 'app.ts', '--browser');
    expect(app.code).toBe(1);
    expect(app.err).toMatch(/LPC5422.*would import 'node:fs' \(from .*app\.ts\)/s);
    expect(existsSync(join(work, 'app.browser.js'))).toBe(false);
  });
});
