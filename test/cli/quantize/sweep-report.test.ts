import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepReport } from '../../../src/cli/report/report-data.js';
import { lpcIn, makeWorkspace } from './fixtures.js';

const dir = makeWorkspace('lpc-sweep-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lpc = (...args: string[]) => lpcIn(dir, ...args);
const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const CHROMIUM = '/usr/bin/chromium';

let sweep: { code: number; out: string; err: string };
beforeAll(async () => {
  const t = await lpc('train', 'small.lpnet', '--data', 'data', '--out', 'trained', '--backend', 'cpu');
  expect(t.code, t.err).toBe(0);
  sweep = await lpc('sweep', 'small.lpnet', '--weights', 'trained/weights.lpw', '--data', 'data', '--backend', 'cpu', '--bits', '3..5', '--calib-batches', '3', '--finetune-steps', '2', '-o', 'report');
}, 120_000);

describe('lpc sweep', () => {
  it('evaluates every width and configuration, fine-tuned too, and prints a table', () => {
    expect(sweep.err).not.toContain('error');
    expect(sweep.code).toBe(0);
    expect(sweep.out).toMatch(/test accuracy of Small \(float [\d.]+%\), report in report\/report\.html:/);
    expect(sweep.out).toMatch(/bits\s+weights\s+weights \(fine-tuned\)\s+weights\+acts\s+weights\+acts \(fine-tuned\)/);
    for (const b of [3, 4, 5]) expect(sweep.out).toMatch(new RegExp(`\\n\\s+${b}(\\s+[\\d.]+%){4}`));
    expect(sweep.err).toMatch(/fine-tuned weights\+acts at 4 bits for 2 steps: test accuracy [\d.]+%/);
    for (const f of ['weights-3', 'weights-5', 'weights+acts-4']) expect(existsSync(join(dir, 'report', 'nets', `${f}.lpnet`)), f).toBe(true);
  });

  it('report.json holds the float reference, each point with its per-layer rows, and the calibration histograms', () => {
    const r = JSON.parse(readFileSync(join(dir, 'report', 'report.json'), 'utf8')) as SweepReport;
    expect(r).toMatchObject({ format: 1, net: { file: 'small.lpnet', name: 'Small' }, widths: [3, 4, 5], configs: ['weights', 'weights+acts'], focusBits: 5 });
    expect(r.data).toMatchObject({ name: 'data', testItems: 40, calibrationItems: 30 });
    expect(r.points.map((p) => `${p.config} ${p.bits}`)).toEqual(['weights 3', 'weights 4', 'weights 5', 'weights+acts 3', 'weights+acts 4', 'weights+acts 5']);
    for (const p of r.points) {
      expect(p.accuracy).toBeGreaterThanOrEqual(0);
      expect(p.accuracy).toBeLessThanOrEqual(1);
      expect(p.finetunedAccuracy).toBeDefined();
      const typed = p.layers.filter((e) => e.how === 'chosen');
      expect(typed.length).toBe(p.config === 'weights' ? 6 : 8);
      for (const e of typed) expect(e.intBits! + e.fracBits!).toBe(p.bits);
    }
    const conv = r.points.find((p) => p.config === 'weights+acts' && p.bits === 5)!.layers.find((e) => e.layer === 'logits_c1' && e.kind === 'activation')!;
    expect(conv).toMatchObject({ op: 'conv', slot: 'output', how: 'chosen', floatSparsity: expect.any(Number), fixedSparsity: expect.any(Number), saturation: expect.any(Number) });
    expect(r.histograms.map((h) => h.tensor)).toEqual(expect.arrayContaining(['logits_c1.weights', 'logits_c1.bias', 'logits_c1', 'logits_f1_dense']));
    for (const h of r.histograms) {
      expect(h.bins.reduce((a, b) => a + b.count, 0) + h.zeros).toBe(h.count);
      expect(h.range!.largest).toBeGreaterThan(h.range!.smallest);
    }
  });

  it('report.html is self-contained: inline SVG charts and data, nothing to load', () => {
    const html = readFileSync(join(dir, 'report', 'report.html'), 'utf8');
    const figures = [...html.matchAll(/<figure class="chart" id="chart-([^"]+)">([\s\S]*?)<\/figure>/g)];
    expect(figures.map((f) => f[1])).toEqual(expect.arrayContaining(['accuracy', 'types-weights', 'types-weights-acts', 'sparsity', 'saturation', 'hist-0']));
    for (const f of figures) expect(f[2], f[1]).toMatch(/^<svg /);
    expect(html).not.toMatch(/<(link|img|iframe)\b|<script[^>]+src=|url\(http|@import/);
    const data = /<script type="application\/json" id="lpc-report">([\s\S]*?)<\/script>/.exec(html)![1];
    expect((JSON.parse(data) as SweepReport).points).toHaveLength(6);
  });

  it('needs the weights and the data', async () => {
    const r = await lpc('sweep', 'small.lpnet', '--backend', 'cpu', '--data', 'data', '-o', 'nowhere');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error LPC3202: lpc sweep calibrates the net and evaluates every point, but --weights is missing');
  });

  const haveChromium = existsSync(CHROMIUM);
  const required = process.env.LPC_REQUIRE_WEBGPU === '1';
  if (!haveChromium && !required) console.log(`[sweep report test] ${CHROMIUM} is missing: the report is not opened in a browser (apt-get install chromium)`);
  it.skipIf(!haveChromium && !required)('renders in Chromium: every chart container holds an SVG with marks; a screenshot is kept', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required in CI (LPC_REQUIRE_WEBGPU=1)`).toBe(true);
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'lpc-chromium-')), {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1250, height: 900 },
    });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(`file://${join(dir, 'report', 'report.html')}`);
      const charts = await page.$$eval('figure.chart', (figs) =>
        figs.map((f) => {
          const svg = f.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return { id: f.id, marks: svg ? svg.querySelectorAll('.role-mark > *').length : 0, width: box?.width ?? 0, height: box?.height ?? 0 };
        }),
      );
      expect(charts.length).toBeGreaterThanOrEqual(6);
      for (const c of charts) {
        expect(c.marks, c.id).toBeGreaterThan(0);
        expect(c.width, c.id).toBeGreaterThan(50);
        expect(c.height, c.id).toBeGreaterThan(50);
      }
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      const artifacts = join(REPO, 'test-artifacts', 'quantize');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'sweep-report.png'), fullPage: true });
      expect(existsSync(join(artifacts, 'sweep-report.png'))).toBe(true);
    } finally {
      await context.close();
    }
  }, 60_000);
});
