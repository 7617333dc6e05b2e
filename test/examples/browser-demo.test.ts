/**
 * The browser example (examples/browser/) in Debian's Chromium, driven by playwright-core, with
 * WebGPU on Chromium's CPU adapter (SwiftShader): the test compiles LeNet8 at batch 1 with
 * `lpc compile`, bundles the page's main.ts with `lpc bundle --browser`, serves the page from
 * 127.0.0.1 and checks that it loads, that it classifies the Fashion-MNIST test images the same
 * way each time, and that its outputs equal the Node run's (the bundle runtime on lavapipe) for
 * the same pixels: probabilities within the contract's f32 tolerance with the same top class, and
 * the statistics of every fixed-point layer (zeros, min, max: functions of the codes) equal.
 * With trained weights (examples/weights/lenet8.lpw, when present) it also checks the accuracy on
 * the 100 images; otherwise the weights come from `lpc init-weights`. A screenshot goes to
 * test-artifacts/browser-demo.png (and to docs/images/browser-demo.png with LPC_UPDATE_GOLDEN=1,
 * or when that file is missing).
 *
 * Skipped with a printed reason when /usr/bin/chromium is missing, unless LPC_REQUIRE_WEBGPU=1.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import type { NetBundle } from '../../src/codegen/ts/bundle-format.js';
import { BundledNet, type LayerStats } from '../../src/runtime/bundle/index.js';
import { REPO_ROOT, updatingGolden } from '../helpers/golden.js';
import { webgpuRequired } from '../helpers/webgpu.js';
import { netHarness } from '../runtime/webgpu/net-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const EXAMPLE = join(REPO_ROOT, 'examples/browser');
const TRAINED = join(REPO_ROOT, 'examples/weights/lenet8.lpw');
const SCREENSHOT = join(REPO_ROOT, 'test-artifacts/browser-demo.png');
const DOCS_SCREENSHOT = join(REPO_ROOT, 'docs/images/browser-demo.png');

const work = mkdtempSync(join(tmpdir(), 'lpc-browser-demo-'));
const site = join(work, 'site');
let server: Server | undefined;
let browser: BrowserContext | undefined;
afterAll(async () => {
  await browser?.close();
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

async function lpc(...args: string[]) {
  const io = memoryIO(work);
  const code = await runCli(args, io);
  return { code, err: io.stderr.join('\n') };
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** A static file server for the site folder on 127.0.0.1 (a secure context, so WebGPU is offered). */
async function serve(root: string): Promise<string> {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** Builds the page as its README says, into the site folder: the compiled net, the bundle, the data, the weights. */
async function buildSite(weights: string): Promise<void> {
  mkdirSync(site, { recursive: true });
  for (const f of ['index.html', 'main.ts']) copyFileSync(join(EXAMPLE, f), join(site, f));
  cpSync(join(EXAMPLE, 'data'), join(site, 'data'), { recursive: true });
  const compiled = await lpc('compile', join(REPO_ROOT, 'examples/lenet.lpnet'), '--net', 'LeNet8', '--param', 'batch=1', '-o', join(site, 'build'));
  expect(compiled.code, compiled.err).toBe(0);
  const bundled = await lpc('bundle', join(site, 'main.ts'), '--browser', '-o', join(site, 'build/main.js'));
  expect(bundled.code, bundled.err).toBe(0);
  mkdirSync(join(site, 'weights'), { recursive: true });
  copyFileSync(weights, join(site, 'weights', 'lenet8.lpw'));
}

interface Prediction {
  probs: number[];
  top3: { label: number; name: string; p: number }[];
  stats: LayerStats[];
}

/** What examples/browser/main.ts puts on the page for scripts (its DemoApi). */
declare global {
  interface Window {
    lpcDemo: {
      ready: Promise<{ adapter: string; weights: string; images: number }>;
      labels: number[];
      classify(index: number): Promise<Prediction>;
    };
  }
}

function classifyIn(page: Page, index: number): Promise<Prediction> {
  return page.evaluate((i) => window.lpcDemo.classify(i), index);
}

const argmax = (xs: ArrayLike<number>) => Array.from(xs).reduce((best, x, i, a) => (x > a[best] ? i : best), 0);

describe('the browser example', () => {
  it('classifies Fashion-MNIST images in Chromium on WebGPU, as the Node run does', async (ctx) => {
    if (!existsSync(CHROMIUM)) {
      if (webgpuRequired) throw new Error(`LPC_REQUIRE_WEBGPU=1 but ${CHROMIUM} is missing (apt-get install chromium)`);
      console.warn(`[browser] skipping: ${CHROMIUM} is missing (apt-get install chromium)`);
      return ctx.skip();
    }
    const h = await netHarness();
    if (!h) return ctx.skip();

    const trained = existsSync(TRAINED);
    let weights = TRAINED;
    if (!trained) {
      weights = join(work, 'random.lpw');
      const init = await lpc('init-weights', join(REPO_ROOT, 'examples/lenet.lpnet'), '--net', 'LeNet8', '--param', 'batch=1', '--seed', '5', '-o', weights);
      expect(init.code, init.err).toBe(0);
    }
    await buildSite(weights);
    const url = await serve(site);

    browser = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1300, height: 760 },
      args: [
        '--no-sandbox',
        '--headless=new',
        '--enable-unsafe-webgpu',
        '--use-webgpu-adapter=swiftshader',
        '--enable-unsafe-swiftshader',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}index.html?weights=weights/lenet8.lpw`);
    const info = await page.evaluate(() => window.lpcDemo.ready);
    expect(errors).toEqual([]);
    expect(info.images).toBe(100);
    expect(info.adapter).toMatch(/swiftshader/i);
    expect(await page.locator('#status').textContent()).toMatch(/^LeNet8 on .*swiftshader.* · weights weights\/lenet8\.lpw · 100 test images$/);
    const labels = await page.evaluate(() => window.lpcDemo.labels);
    expect(labels.slice(0, 5)).toEqual([9, 2, 1, 1, 6]); // the first Fashion-MNIST test labels

    // The Node run: the same compiled net (program.js) on lavapipe, the same weights and pixels.
    const data = readFileSync(join(site, 'build/LeNet8/program.js'), 'utf8');
    const node = await BundledNet.create(JSON.parse(data.slice(data.indexOf('{'), data.lastIndexOf('}') + 1)) as NetBundle, h.device);
    await node.loadWeights(new Uint8Array(readFileSync(weights)));
    const idx = readFileSync(join(EXAMPLE, 'data/fashion-test-100-images-idx3-ubyte'));
    const pixelsOf = (i: number) => idx.subarray(16 + i * 784, 16 + (i + 1) * 784);

    const count = trained ? 100 : 12;
    let correct = 0;
    for (let i = 0; i < count; i++) {
      const got = await classifyIn(page, i);
      const image = Float32Array.from(pixelsOf(i), (p) => p * (1 / 255));
      const want = await node.infer({ image });
      const wantStats = await node.stats();
      expect(got.probs.length).toBe(10);
      for (let k = 0; k < 10; k++) expect(Math.abs(got.probs[k] - want.probs[k]), `image ${i}, class ${k}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want.probs[k])));
      expect(got.top3[0].label, `image ${i}`).toBe(argmax(want.probs));
      for (const s of wantStats.filter((x) => x.type.startsWith('fixed'))) {
        const b = got.stats.find((x) => x.layer === s.layer)!;
        expect([b.count, b.zeros, b.min, b.max], `image ${i}, layer ${s.layer}`).toEqual([s.count, s.zeros, s.min, s.max]);
      }
      if (got.top3[0].label === labels[i]) correct++;
    }
    // The same image again gives the same answer, bit for bit.
    expect((await classifyIn(page, 3)).probs).toEqual((await classifyIn(page, 3)).probs);
    if (trained) expect(correct / count).toBeGreaterThanOrEqual(0.75);
    node.destroy();

    // A person's view: draw a shape (a trouser-like pair of strokes), then pick an image; each
    // shows the top 3 and the sparsity chart.
    const pad = (await page.locator('#draw').boundingBox())!;
    for (const x of [0.38, 0.62]) {
      await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.15);
      await page.mouse.down();
      await page.mouse.move(pad.x + pad.width * x, pad.y + pad.height * 0.85, { steps: 12 });
      await page.mouse.up();
    }
    await expect.poll(() => page.locator('#truth').textContent()).toBe('your drawing');
    expect(await page.locator('#top3 li').count()).toBe(3);
    await page.click('.thumb[data-index="7"]');
    await expect.poll(() => page.locator('#truth').textContent()).toBe(`true class: ${['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'][labels[7]]}`);
    expect(await page.locator('#top3 li').count()).toBe(3);
    expect(await page.locator('#sparsity .layer').count()).toBeGreaterThanOrEqual(6);
    expect(errors).toEqual([]);
    mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    if (updatingGolden() || !existsSync(DOCS_SCREENSHOT)) {
      mkdirSync(join(REPO_ROOT, 'docs/images'), { recursive: true });
      copyFileSync(SCREENSHOT, DOCS_SCREENSHOT);
    }
  }, 240_000);
});
