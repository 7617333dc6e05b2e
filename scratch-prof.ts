import { readFileSync } from 'node:fs';
import { acquireDevice } from './src/runtime/webgpu/device.js';
import { lowerNet } from './test/runtime/train/helpers.js';
import { buildTrainSetup, resolveSettings } from './src/runtime/train/session.js';
import { planTrainProgram, programWith } from './src/runtime/webgpu/train/train-program.js';
import { allocateNetTensors } from './src/runtime/webgpu/net-tensors.js';
import { prepareDispatches, recordDispatch } from './src/runtime/webgpu/net-dispatches.js';
import { PipelineCache } from './src/runtime/webgpu/pipeline-cache.js';
const dev = await acquireDevice();
console.log('timestamp', dev.capabilities.timestampQuery);
const net = process.argv[2] ?? 'LeNetF32';
const graph = lowerNet(readFileSync('examples/lenet.lpnet', 'utf8'), net, { batch: 64 });
const s = resolveSettings(graph, {});
const setup = buildTrainSetup(graph, s.settings!.solver, 1, {}).setup!;
const prog = planTrainProgram(setup, dev.wgsl).program!;
const tensors = await allocateNetTensors(dev.device, prog.base);
const prep = await prepareDispatches(dev.device, programWith(prog, prog.step), tensors, new PipelineCache(dev.device));
const gpu = dev.device;
const times: { label: string; ms: number }[] = [];
for (const p of prep.list) {
  const run = async () => { const enc = gpu.createCommandEncoder(); const pass = enc.beginComputePass(); recordDispatch(pass, p); pass.end(); const t0 = performance.now(); gpu.queue.submit([enc.finish()]); await gpu.queue.onSubmittedWorkDone(); return performance.now() - t0; };
  await run();
  const r = [await run(), await run(), await run()].sort((a, b) => a - b)[1];
  times.push({ label: p.dispatch.label + ' ' + JSON.stringify(p.dispatch.workgroups), ms: r });
}
const total = times.reduce((a, t) => a + t.ms, 0);
console.log('total', total.toFixed(1), 'dispatches', times.length);
for (const t of [...times].sort((a, b) => b.ms - a.ms).slice(0, 25)) console.log(t.ms.toFixed(2), t.label);
dev.destroy();
