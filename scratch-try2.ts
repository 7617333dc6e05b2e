import { readFileSync } from 'node:fs';
import { defaultTransform, shuffledOrder, trainBatch } from './src/runtime/data/batches.js';
import { openDataset } from './src/runtime/data/fashion-mnist.js';
import { initWeights } from './src/runtime/cpu/init-weights.js';
import { createCpuBackend } from './src/runtime/train/cpu-backend.js';
import { createWebgpuTrainBackend } from './src/runtime/webgpu/train/gpu-backend.js';
import { lowerNet } from './test/runtime/train/helpers.js';
import { buildTrainSetup, resolveSettings } from './src/runtime/train/session.js';

const netName = process.argv[2] ?? 'LeNetF32';
const steps = Number(process.argv[3] ?? 5);
const graph = lowerNet(readFileSync('examples/lenet.lpnet', 'utf8'), netName, { batch: 8 });
const s = resolveSettings(graph, {});
const built = buildTrainSetup(graph, s.settings!.solver, 1, {});
const setup = built.setup!;
const data = openDataset('fashion-mnist', { cwd: '.' }).dataset!;
const t = defaultTransform('u8');
const init = initWeights(graph, 1);
const cpu = createCpuBackend(setup);
let t0 = performance.now();
const r = await createWebgpuTrainBackend(setup);
if (!r.backend) { console.log(r.diagnostics); process.exit(1); }
console.log('create ms', performance.now() - t0);
const gpu = r.backend;
await cpu.setParams(init); await gpu.setParams(init);
const order = shuffledOrder(data.train.count, 1, 0);
for (let k = 0; k < steps; k++) {
  const batch = trainBatch(data.train, order, k, 8, t);
  t0 = performance.now();
  const a = await cpu.trainStep(batch, { step: k, lr: 0.01 });
  const t1 = performance.now();
  const b = await gpu.trainStep(batch, { step: k, lr: 0.01 });
  const t2 = performance.now();
  console.log(k, a.loss, b.loss, a.correct, b.correct, (t1 - t0).toFixed(0), (t2 - t1).toFixed(0), b.nonFinite ?? '');
}
const pa = await cpu.getParams(); const pb = await gpu.getParams();
for (const [id, ta] of pa) {
  const tb = pb.get(id)!;
  let md = 0; let mx = 0; for (let i = 0; i < ta.data.length; i++) { md = Math.max(md, Math.abs(ta.data[i] - tb.data[i])); mx = Math.max(mx, Math.abs(ta.data[i])); }
  console.log(id, md.toExponential(2), mx.toFixed(3));
}
await gpu.dispose();
