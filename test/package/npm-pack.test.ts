/**
 * DONE-WHEN TEST of compiled bundles (issue 5), about 50 s (40 s more when dist/ is older than
 * the sources and must be rebuilt; the summary line says where the time went):
 * `npm pack` lpc, compile LeNet8 into a package folder with `lpc compile -o --weights`, create a
 * fresh project in a temporary folder outside the repository, `npm install` the tarball and the
 * folder there (`--prefer-offline`: every dependency comes from the local npm cache;
 * `--install-links`: the folder is copied, so it resolves `lpc/runtime` from the project), and
 * run inference with a few lines of plain Node. The result equals the bundle runtime's in this
 * process bit for bit. examples/node/classify.ts runs in the same project (transpiled by
 * esbuild) and type-checks under `strict` against the installed declarations, and the installed
 * `lpc bundle --browser` makes a browser file of the installed net.
 *
 * The tarball is packed from a staging folder: the files package.json lists, with dist/ built by
 * tsc there (or copied when the repository's dist/ is newer than every source), so the test never
 * rewrites the repository's dist/. Skipped without a WebGPU adapter, unless LPC_REQUIRE_WEBGPU=1.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { transform } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import type { NetBundle } from '../../src/codegen/ts/bundle-format.js';
import { BundledNet } from '../../src/runtime/bundle/index.js';
import { listFiles, REPO_ROOT } from '../helpers/golden.js';
import { getTestDevice } from '../helpers/webgpu.js';
import { netHarness } from '../runtime/webgpu/net-harness.js';

const work = mkdtempSync(join(tmpdir(), 'lpc-npm-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Seconds each step took, for the summary line (where a slow run spent its time). */
const steps: string[] = [];

function run(cmd: string, args: string[], cwd: string, timeout = 120_000): string {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir(), npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const what = cmd === process.execPath ? (args[0].includes('tsc') ? `tsc ${args.includes('--noEmit') ? 'check' : 'build'}` : `node ${args[0]}`) : `${cmd} ${args[0]}`;
  steps.push(`${what} ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  return r.stdout;
}

/** Whether dist/ holds a build newer than every source file. */
function distIsCurrent(): boolean {
  const src = join(REPO_ROOT, 'src');
  return listFiles(src)
    .filter((f) => f.endsWith('.ts'))
    .every((f) => {
      const js = join(REPO_ROOT, 'dist', f.replace(/\.ts$/, '.js'));
      return existsSync(js) && statSync(js).mtimeMs >= statSync(join(src, f)).mtimeMs;
    });
}

/** `npm pack` of lpc from a staging folder; the path of the tarball. */
function packLpc(): string {
  const stage = join(work, 'stage');
  mkdirSync(stage, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[] };
  writeFileSync(join(stage, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const f of pkg.files) if (f !== 'dist' && existsSync(join(REPO_ROOT, f))) cpSync(join(REPO_ROOT, f), join(stage, f), { recursive: true });
  if (distIsCurrent()) cpSync(join(REPO_ROOT, 'dist'), join(stage, 'dist'), { recursive: true });
  else run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.json'), '--outDir', join(stage, 'dist')], REPO_ROOT, 180_000);
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], stage);
  const tgz = readdirSync(work).find((f) => /^lpc-.*\.tgz$/.test(f));
  if (!tgz) throw new Error('npm pack wrote no tarball');
  return join(work, tgz);
}

async function lpc(...args: string[]) {
  const io = memoryIO(work);
  const code = await runCli(args, io);
  return { code, err: io.stderr.join('\n') };
}

const RUN_MJS = `import { LeNet8 } from 'lenet8';
import { createRequire } from 'node:module';

const net = await LeNet8.create();
await net.loadWeights(createRequire(import.meta.url).resolve('lenet8/weights.lpw'));
const image = Float32Array.from({ length: 3 * 784 }, (_, i) => (i % 29) / 28);
const { probs } = await net.infer({ image });
console.log(JSON.stringify(Array.from(probs)));
net.destroy();
`;

describe('a fresh project installs lpc and a compiled net and runs it', () => {
  it('npm pack, npm install (offline), a few lines of Node, and examples/node/classify.ts', async (ctx) => {
    if (!(await getTestDevice())) return ctx.skip();
    const h = await netHarness();
    if (!h) return ctx.skip();
    const tgz = packLpc();
    const listing = run('tar', ['-tzf', tgz], work);
    expect(listing).toContain('package/dist/runtime/bundle/index.js');
    expect(listing).toContain('package/dist/runtime/bundle/index.d.ts');
    expect(listing).toContain('package/dist/format/prettier-plugin.js');
    expect(listing).toContain('package/bin/lpc.js');

    const lenet = join(REPO_ROOT, 'examples/lenet.lpnet');
    expect((await lpc('init-weights', lenet, '--net', 'LeNet8', '--param', 'batch=8', '--seed', '9', '-o', 'w.lpw')).code).toBe(0);
    const compiled = await lpc('compile', lenet, '--net', 'LeNet8', '--param', 'batch=8', '--weights', 'w.lpw', '-o', 'out');
    expect(compiled.code, compiled.err).toBe(0);

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--install-links', tgz, join(work, 'out', 'LeNet8')], app, 180_000);
    expect(existsSync(join(app, 'node_modules/lenet8/LeNet8.js'))).toBe(true);
    expect(readFileSync(join(app, 'node_modules/lpc/package.json'), 'utf8')).toContain('"./runtime"');

    writeFileSync(join(app, 'run.mjs'), RUN_MJS);
    const probs = JSON.parse(run(process.execPath, ['run.mjs'], app).trim().split('\n').pop()!) as number[];
    const data = readFileSync(join(work, 'out/LeNet8/program.js'), 'utf8');
    const here = await BundledNet.create(JSON.parse(data.slice(data.indexOf('{'), data.lastIndexOf('}') + 1)) as NetBundle, h.device);
    await here.loadWeights(new Uint8Array(readFileSync(join(work, 'out/LeNet8/weights.lpw'))));
    const want = await here.infer({ image: Float32Array.from({ length: 3 * 784 }, (_, i) => (i % 29) / 28) });
    here.destroy();
    expect(probs).toEqual(Array.from(want.probs));

    // The README's example, in the same project.
    const source = readFileSync(join(REPO_ROOT, 'examples/node/classify.ts'), 'utf8');
    writeFileSync(join(app, 'classify.ts'), source);
    writeFileSync(join(app, 'classify.mjs'), (await transform(source, { loader: 'ts', format: 'esm', target: 'es2022' })).code);
    const data100 = join(REPO_ROOT, 'examples/browser/data');
    const out = run(process.execPath, ['classify.mjs', join(data100, 'fashion-test-100-images-idx3-ubyte'), join(data100, 'fashion-test-100-labels-idx1-ubyte'), '--limit', '20'], app);
    const lines = out.trim().split('\n');
    expect(lines.filter((l) => /^image \d+: .+ \d+\.\d%/.test(l))).toHaveLength(20);
    expect(lines).toContainEqual(expect.stringMatching(/^accuracy: \d+\/20 = /));
    expect(lines).toContainEqual(expect.stringMatching(/^sparsity logits\/c1 \(conv\+quantize, fixed<4, 4>\): \d+\.\d%$/));
    run(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--target',
        'es2022',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--typeRoots',
        join(REPO_ROOT, 'node_modules/@types'),
        '--types',
        'node',
        'classify.ts',
      ],
      app,
    );
    // The installed lpc command bundles the installed net for browsers, with its own runtime.
    const bundled = spawnSync(process.execPath, ['node_modules/lpc/bin/lpc.js', 'bundle', 'node_modules/lenet8', '--browser', '-o', 'public/lenet8.js'], { cwd: app, encoding: 'utf8' });
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(bundled.stderr).toMatch(/wrote public\/lenet8\.js \(browser ES module, /);
    const browserJs = readFileSync(join(app, 'public/lenet8.js'), 'utf8');
    expect(browserJs).toContain('@compute @workgroup_size(');
    expect(browserJs).not.toMatch(/from\s*["'](node:[^"']+|webgpu)["']|import\(\s*["'](node:[^"']+|webgpu)["']\s*\)/);

    console.log(`[npm-pack] ${relative(work, tgz)}: ${Math.round(statSync(tgz).size / 1024)} KiB; ${steps.join(', ')}`);
  }, 300_000);
});
