/**
 * Training throughput (issue 6): images per second of whole training steps (forward, backward,
 * solver, and the host's share: writing the batch and rates, reading back the losses, logits and
 * the control block) for LeNet at batch 64, on this machine's WebGPU adapter and on the CPU
 * reference, for the f32, 8-bit and 4-bit nets of examples/lenet.lpnet, so the cost of
 * quantization shows as the fixed-point step time over the f32 step time of the same net.
 *
 * Also the measurement behind the solver's dispatch layout: LeNet's 8 trained parameters updated
 * by one dispatch each (what the backend does) against one dispatch over as many elements (what a
 * batched kernel over one concatenated buffer would cost at best).
 *
 *   npx tsx bench/train-throughput.ts [--quick]
 *
 * Writes bench/results/train-throughput.json and its section of bench/RESULTS.md.
 */
import { writeAtomically, writeResultsSection } from './results-file.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { lowerSource } from '../src/lower/front-end.js';
import { F32, I32, type NumberType } from '../src/numeric/number-type.js';
import { initWeights } from '../src/runtime/cpu/init-weights.js';
import { defaultTransform, shuffledOrder, trainBatch } from '../src/runtime/data/batches.js';
import type { Dataset, DataBatch } from '../src/runtime/data/dataset.js';
import { openDataset } from '../src/runtime/data/fashion-mnist.js';
import type { TrainBackend } from '../src/runtime/train/backend.js';
import { createCpuBackend } from '../src/runtime/train/cpu-backend.js';
import { learningRate } from '../src/runtime/train/lr-policy.js';
import { buildTrainSetup, resolveSettings } from '../src/runtime/train/session.js';
import { solverSpec } from '../src/runtime/train/solver-spec.js';
import { createTensor, type GpuTensor } from '../src/runtime/webgpu/buffers.js';
import { acquireDevice, type LpcDevice } from '../src/runtime/webgpu/device.js';
import { packUniforms } from '../src/codegen/wgsl/lib/uniforms.js';
import { PipelineCache } from '../src/runtime/webgpu/pipeline-cache.js';
import { CONTROL_OK, CONTROL_SCALE } from '../src/runtime/webgpu/train/kernels/control.js';
import { solverDispatch } from '../src/runtime/webgpu/train/kernels/solver.js';
import { createWebgpuTrainBackend } from '../src/runtime/webgpu/train/gpu-backend.js';

const quick = process.argv.includes('--quick');
const BATCH = 64;
const NETS = ['LeNetF32', 'LeNet8', 'LeNet'] as const;
const DESCRIBE: Record<string, string> = { LeNetF32: 'f32', LeNet8: '8-bit (fixed<2, 6> weights, fixed<4, 4> activations)', LeNet: '4-bit (fixed<2, 2>, the seed)' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function data(): { data: Dataset; source: string } {
  const fm = openDataset('fashion-mnist', { cwd: '.' });
  if (!fm.dataset) throw new Error('this benchmark trains on Fashion-MNIST: apt-get install dataset-fashion-mnist');
  return { data: fm.dataset, source: 'Fashion-MNIST training images' };
}

interface StepTiming {
  firstMs: number;
  timesMs: number[];
  medianMs: number;
  imagesPerSecond: number;
}

/** One net's training run on one backend: its batches, rates and step counter. */
interface Runner {
  net: string;
  backend: TrainBackend;
  batches: DataBatch[];
  lrAt: (k: number) => number;
  k: number;
}

/** One training step of a runner, in ms. */
async function step(r: Runner): Promise<number> {
  const b = r.batches[r.k % r.batches.length];
  const t0 = performance.now();
  const out = await r.backend.trainStep(b, { step: r.k, lr: r.lrAt(r.k) });
  r.k++;
  if (out.nonFinite) throw new Error(`${r.net}: step ${r.k} went non-finite`);
  return performance.now() - t0;
}

/**
 * Times the runners' steps round-robin (one step of each net in turn, the order rotating), so a
 * change of the machine's load during the run touches every net alike and the ratios hold: the
 * first step of each apart (pipeline compilation), `warm` untimed rounds, then up to `runs` timed
 * rounds within the budget.
 */
async function timeRoundRobin(runners: Runner[], warm: number, runs: number, budgetMs: number): Promise<StepTiming[]> {
  const first: number[] = [];
  for (const r of runners) first.push(await step(r));
  for (let i = 0; i < warm; i++) for (const r of runners) await step(r);
  const times: number[][] = runners.map(() => []);
  const t0 = performance.now();
  for (let round = 0; round < runs && (round === 0 || performance.now() - t0 < budgetMs); round++) {
    for (let j = 0; j < runners.length; j++) {
      const k = (j + round) % runners.length;
      times[k].push(await step(runners[k]));
    }
  }
  return runners.map((_, k) => {
    const m = median(times[k]);
    return { firstMs: first[k], timesMs: times[k], medianMs: m, imagesPerSecond: (BATCH * 1000) / m };
  });
}

/** The training setup, batches, rates and initial weights of a LeNet of examples/lenet.lpnet at batch 64. */
function netRun(ds: Dataset, net: string) {
  const source = readFileSync(new URL('../examples/lenet.lpnet', import.meta.url), 'utf8');
  const lowered = lowerSource(source, 'lenet.lpnet', { net, params: { batch: BATCH } });
  const graph = lowered.graphs[0];
  const s = resolveSettings(graph, {});
  if (!s.settings) throw new Error(s.diagnostics.map((d) => d.message).join('\n'));
  const settings = s.settings;
  const setup = buildTrainSetup(graph, settings.solver, settings.seed, {}).setup!;
  const order = shuffledOrder(ds.train.count, settings.seed, 0);
  const t = defaultTransform('u8');
  return {
    setup,
    batches: Array.from({ length: 8 }, (_, k) => trainBatch(ds.train, order, k, BATCH, t)),
    lrAt: (k: number) => learningRate(settings.policy, settings.solver.lr, k),
    start: initWeights(graph, settings.seed),
  };
}

async function netTimings(device: LpcDevice, cache: PipelineCache, ds: Dataset) {
  const runs = NETS.map((net) => ({ net, ...netRun(ds, net) }));
  const gpuRunners: Runner[] = [];
  for (const r of runs) {
    const made = await createWebgpuTrainBackend(r.setup, { device, cache });
    if (!made.backend) throw new Error(made.diagnostics.map((d) => d.message).join('\n'));
    await made.backend.setParams(r.start);
    gpuRunners.push({ net: r.net, backend: made.backend, batches: r.batches, lrAt: r.lrAt, k: 0 });
  }
  const webgpu = await timeRoundRobin(gpuRunners, quick ? 2 : 4, quick ? 5 : 20, quick ? 15_000 : 90_000);
  for (const r of gpuRunners) await r.backend.dispose();
  const cpuRunners: Runner[] = [];
  for (const r of runs) {
    const backend = createCpuBackend(r.setup);
    await backend.setParams(r.start);
    cpuRunners.push({ net: r.net, backend, batches: r.batches, lrAt: r.lrAt, k: 0 });
  }
  const cpu = await timeRoundRobin(cpuRunners, 0, quick ? 1 : 3, quick ? 1 : 60_000);
  return runs.map((r, k) => ({ net: r.net, description: DESCRIBE[r.net], webgpu: webgpu[k], cpu: cpu[k] }));
}

/** LeNet's trained parameter sizes updated by one sgd dispatch each, against one dispatch over all their elements. */
async function solverLayout(device: LpcDevice, cache: PipelineCache) {
  const sizes = [20 * 25, 20, 50 * 20 * 25, 50, 500 * 800, 500, 10 * 500, 10];
  const gpu = device.device;
  const total = sizes.reduce((a, b) => a + b, 0);
  const control = new Uint32Array(8);
  control[CONTROL_OK] = 1;
  control[CONTROL_SCALE] = new Uint32Array(new Float32Array([1]).buffer)[0];
  const tensors: GpuTensor[] = [];
  const make = (n: number, type: NumberType = F32) => {
    const t = createTensor(gpu, type, n);
    tensors.push(t);
    return t;
  };
  const ctl = make(8, I32);
  gpu.queue.writeBuffer(ctl.buffers[0], 0, control);
  const rates = make(1);
  const settings = solverSpec({ kind: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const plan = (ns: number[]) =>
    ns.map((n) => {
      const d = solverDispatch({
        capabilities: device.wgsl,
        settings,
        mode: 'apply',
        slot: 0,
        count: n,
        localDecay: settings.weightDecay,
        ids: { param: { id: 'w', type: F32, shape: [n] }, grad: { id: 'g', type: F32, shape: [n] }, state: [{ id: 'h', type: F32, shape: [n] }], rates: 'rates', control: 'control' },
        label: 'sgd',
      });
      return { d, buffers: { w: make(n).buffers[0], g: make(n).buffers[0], s0: make(n).buffers[0], rates: rates.buffers[0], control: ctl.buffers[0] } };
    });
  const perParam = plan(sizes);
  const batched = plan([total]);
  // Recorded as the backend records a step: every dispatch in one compute pass, bind groups and
  // uniform buffers made beforehand. The two layouts alternate round by round, so a change of the
  // machine's load touches both alike.
  const pipeline = await cache.get(perParam[0].d.shader, 'sgd');
  const shader = pipeline.shader;
  const uniformBuffers: GPUBuffer[] = [];
  const prepare = (list: ReturnType<typeof plan>) =>
    list.map(({ d, buffers }) => {
      const ub = gpu.createBuffer({ size: shader.uniforms.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      uniformBuffers.push(ub);
      gpu.queue.writeBuffer(ub, 0, packUniforms(shader.uniforms, d.uniforms));
      const entries = shader.bindings.map((b) => ({ binding: b.binding, resource: { buffer: b.kind === 'uniform' ? ub : buffers[b.name as keyof typeof buffers] } }));
      return { d, group: gpu.createBindGroup({ layout: pipeline.bindGroupLayout, entries }) };
    });
  const layouts = [prepare(perParam), prepare(batched)];
  const times: number[][] = [[], []];
  for (let r = 0; r < (quick ? 6 : 40); r++) {
    for (const k of r % 2 ? [1, 0] : [0, 1]) {
      const enc = gpu.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline.pipeline);
      for (const p of layouts[k]) {
        pass.setBindGroup(0, p.group);
        pass.dispatchWorkgroups(...p.d.workgroups);
      }
      pass.end();
      const t0 = performance.now();
      gpu.queue.submit([enc.finish()]);
      await gpu.queue.onSubmittedWorkDone();
      if (r >= 2) times[k].push(performance.now() - t0);
    }
  }
  for (const b of uniformBuffers) b.destroy();
  const result = { elements: total, perParameterDispatches: sizes.length, perParameterMs: median(times[0]), oneDispatchMs: median(times[1]) };
  for (const t of tensors) t.destroy();
  return result;
}

async function main(): Promise<void> {
  const device = await acquireDevice({ label: 'train-throughput' });
  const cache = new PipelineCache(device.device);
  const { data: ds, source } = data();
  const nets = await netTimings(device, cache, ds);
  for (const r of nets) {
    console.log(
      `${r.net}: webgpu ${r.webgpu.medianMs.toFixed(1)} ms/step (${r.webgpu.imagesPerSecond.toFixed(0)} images/s, first step ${r.webgpu.firstMs.toFixed(0)} ms), cpu ${r.cpu.medianMs.toFixed(0)} ms/step (${r.cpu.imagesPerSecond.toFixed(1)} images/s)`,
    );
  }
  const solver = await solverLayout(device, cache);
  console.log(`solver: ${solver.perParameterDispatches} dispatches ${solver.perParameterMs.toFixed(2)} ms, one dispatch ${solver.oneDispatchMs.toFixed(2)} ms (${solver.elements} elements)`);
  const a = device.capabilities.adapter;
  const result = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: `${cpus()[0]?.model.trim() ?? 'unknown'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${loadavg()[0].toFixed(1)}`,
    adapter: `${a.description || a.device} (${a.vendor})${device.capabilities.isCpuAdapter ? ', a CPU implementation' : ''}`,
    data: source,
    batch: BATCH,
    nets,
    solver,
  };
  device.destroy();
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const out = new URL('./results/train-throughput.json', import.meta.url);
  writeAtomically(out, `${JSON.stringify(result, null, 2)}\n`);
  writeSection(result);
}

const MARKERS = { begin: '<!-- bench/train-throughput.ts: begin (generated) -->', end: '<!-- bench/train-throughput.ts: end -->' };

type Result = {
  date: string;
  mode: string;
  machine: string;
  adapter: string;
  data: string;
  nets: { net: string; description: string; webgpu: StepTiming; cpu: StepTiming }[];
  solver: { elements: number; perParameterDispatches: number; perParameterMs: number; oneDispatchMs: number };
};

function writeSection(r: Result): void {
  const f32 = r.nets.find((n) => n.net === 'LeNetF32');
  const rows = r.nets.map((n) => {
    const q = f32 && n !== f32 ? `${(n.webgpu.medianMs / f32.webgpu.medianMs).toFixed(2)}x / ${(n.cpu.medianMs / f32.cpu.medianMs).toFixed(2)}x` : '1 (reference)';
    return `| ${n.net}: ${n.description} | ${n.webgpu.medianMs.toFixed(1)} | ${n.webgpu.imagesPerSecond.toFixed(0)} | ${n.webgpu.firstMs.toFixed(0)} | ${n.cpu.medianMs.toFixed(0)} | ${n.cpu.imagesPerSecond.toFixed(1)} | ${(n.cpu.medianMs / n.webgpu.medianMs).toFixed(1)}x | ${q} |`;
  });
  const body = [
    '## Training throughput: LeNet at batch 64 (issue 6)',
    '',
    `Generated by \`npx tsx bench/train-throughput.ts\` on ${r.date} (${r.mode} mode). Raw numbers: bench/results/train-throughput.json.`,
    `Machine: ${r.machine}. Adapter: ${r.adapter}. Data: ${r.data}.`,
    '',
    'Method: whole training steps of `lpc train`\'s backends (`TrainBackend.trainStep`: forward, backward, solver, batch upload and the',
    'readback of losses, logits and the step\'s control block), with the nets\' train section (sgd, momentum 0.9, weight decay',
    '5e-4, inv schedule) from the fillers, cycling over 8 batches of 64. The three nets step in turn (round-robin, rotating',
    'order), so a change of the machine\'s load touches them alike. WebGPU: the first step is reported apart (lavapipe',
    'compiles each pipeline when it is first dispatched), then a few warm-up rounds, then the median of up to 20 timed steps;',
    'each step is one command buffer and one wait, and the wait sleeps on a timer for most of the expected time before',
    'creating the map promise (src/runtime/webgpu/wait.ts), so Node\'s polling does not take a core from lavapipe.',
    'CPU reference: the median of a few steps. Quantization cost: the step time of the fixed-point net over the f32 net\'s.',
    '',
    '| net | WebGPU ms/step | WebGPU images/s | WebGPU first step ms | CPU ms/step | CPU images/s | WebGPU speed-up | cost of quantization (WebGPU / CPU) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Solver layout: LeNet's ${r.solver.perParameterDispatches} trained parameters (${r.solver.elements} elements) updated by one sgd dispatch each take`,
    `${r.solver.perParameterMs.toFixed(2)} ms per submission; one dispatch over the same number of elements takes ${r.solver.oneDispatchMs.toFixed(2)} ms.`,
    'The backend keeps one dispatch per parameter (each parameter stays its own buffer, and its kernel its own rounding type',
    'and stream in stored-weights mode): the difference is what batching could save per pass, out of a whole step\'s time above.',
  ].join('\n');
  writeResultsSection(MARKERS, body);
}

await main();
