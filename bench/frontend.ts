/**
 * Front-end speed: parse + check (lowering with shape/type inference) of examples/vgg16.lpnet
 * after warm-up, and of a generated 2,000-layer net. Targets (issue 2): VGG16 under 50 ms,
 * 2,000 layers under 1 s. Prints medians over repeated runs and writes bench/results/frontend.json.
 *
 *   npx tsx bench/frontend.ts
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { cpus } from 'node:os';
import { lowerSource } from '../src/lower/front-end.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function time(fn: () => void, runs: number, warmup: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** A plain chain of `layers` conv/relu layers (every 4th a pool-free 1x1 projection), no blocks. */
export function generatedNet(layers: number): string {
  const lines = ['net Deep(batch: int = 1) {', '  input image: f32[batch, 16, 32, 32]', '  x0 = conv(image, filters: 16, kernel: 3, pad: 1)'];
  for (let i = 1; i < layers; i++) {
    const op = i % 2 === 1 ? `relu(x${i - 1})` : `conv(x${i - 1}, filters: 16, kernel: 3, pad: 1, weights: fixed<2, 6>) -> fixed<4, 4>`;
    lines.push(`  x${i} = ${op}`);
  }
  lines.push(`  output y = softmax(x${layers - 1})`, '}');
  return lines.join('\n');
}

function run(): void {
  const vgg = readFileSync(new URL('../examples/vgg16.lpnet', import.meta.url), 'utf8');
  const check = (text: string, file: string) => {
    const r = lowerSource(text, file);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`${file}: ${errors.length} errors, first: ${errors[0].message}`);
  };
  const vggTimes = time(() => check(vgg, 'vgg16.lpnet'), 50, 20);
  const deep = generatedNet(2000);
  const deepTimes = time(() => check(deep, 'deep2000.lpnet'), 10, 3);
  const result = {
    machine: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}`,
    method: 'lowerSource (parse + name/attribute/type checks + shape inference) in-process; median of N runs after warm-up',
    vgg16: { runs: vggTimes.length, medianMs: median(vggTimes), targetMs: 50 },
    generated2000: { runs: deepTimes.length, medianMs: median(deepTimes), targetMs: 1000 },
  };
  console.log(`parse + check vgg16.lpnet:      median ${result.vgg16.medianMs.toFixed(2)} ms over ${vggTimes.length} runs (target < 50 ms)`);
  console.log(`parse + check 2,000-layer net:  median ${result.generated2000.medianMs.toFixed(1)} ms over ${deepTimes.length} runs (target < 1000 ms)`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const out = new URL('./results/frontend.json', import.meta.url);
  const tmp = new URL('./results/frontend.json.tmp', import.meta.url);
  writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(tmp, out);
}

run();
