/**
 * The WebGPU executor on the test adapter: nets of the registry's ops run and agree with the CPU
 * reference layer by layer under the contract; intermediate values read back correctly although
 * activations share buffers; chunked tensors give the same results as whole ones; stochastic
 * rounding in training follows the CPU's streams step by step; per-layer timing; and the
 * diagnostics for bad weights, inputs, captures, a destroyed net, and a kernel the GPU rejects
 * (named after the layer).
 */
import { describe, expect, it } from 'vitest';
import { ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import type { KernelDispatch, KernelRequest } from '../../../src/codegen/wgsl/lib/kernel.js';
import { buildWgslProgram, type WgslProgram } from '../../../src/codegen/wgsl/program.js';
import { DiagnosticError } from '../../../src/diag/diagnostic.js';
import { I32, fixed } from '../../../src/numeric/number-type.js';
import type { Tensor } from '../../../src/numeric/tensor.js';
import type { PipelineResult } from '../../../src/passes/pipeline.js';
import { runForward } from '../../../src/runtime/cpu/executor.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { randomInput } from '../../../src/runtime/data/random-inputs.js';
import { createWebgpuNet, type WebgpuRunOptions } from '../../../src/runtime/webgpu/executor.js';
import { compareLayers } from '../../../src/runtime/webgpu/layer-compare.js';
import { lookupWith, zeroKernel } from '../../codegen/wgsl/fake-kernels.js';
import { GraphBuilder } from '../../helpers/graph-builder.js';
import { lowerNet, netHarness, planNet, programOf, type NetHarness } from './net-harness.js';

const A8 = fixed(4, 4);

function inputsOf(planned: PipelineResult, seed = 3): Map<string, Tensor> {
  const g = planned.graph;
  return new Map(g.inputs.map((id) => [id, randomInput(g, g.values.get(id)!, seed)]));
}

/** Runs the program on the GPU (capturing every node) and compares each layer with the CPU. */
async function runAndCompare(h: NetHarness, planned: PipelineResult, program: WgslProgram, opts: WebgpuRunOptions & { training?: boolean } = {}) {
  const weights = initWeights(planned.graph, 7);
  const inputs = inputsOf(planned);
  const net = await createWebgpuNet(h.device, program, weights, { cache: h.cache });
  try {
    const gpu = await net.run(inputs, { ...opts, capture: 'all' });
    const runOpts = { training: opts.training ?? false, seed: opts.seed ?? 1, step: opts.step ?? 0 };
    const cpu = runForward(planned.graph, weights, inputs, runOpts);
    const reports = compareLayers(planned.graph, cpu.values, gpu.values, { ...runOpts, endToEnd: cpu.values });
    return { gpu, cpu, reports };
  } finally {
    net.destroy();
  }
}

const chain = `
type A8 = fixed<4, 4>
type S6 = fixed<3, 5, round: stochastic, overflow: saturate>
net Chain(batch: int = 2) {
  input x: f32[batch, 3, 9, 9]
  a = relu(x) -> A8
  p = max_pool(a, kernel: 3, stride: 2)
  q = avg_pool(p, kernel: 2, stride: 1, pad: 1) -> S6
  s = add(q, avg_pool(p, kernel: 2, stride: 1, pad: 1))
  t = tanh(s)
  f = flatten(t)
  output y = sigmoid(f) -> A8
  output z = concat(t, relu(s), axis: 1)
}
`;

describe('the WebGPU executor', () => {
  it('runs a chain of ops and matches the CPU reference layer by layer, reading back every intermediate', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const planned = planNet(lowerNet(chain));
    const program = programOf(planned, h.device);
    expect(program.dispatches).toHaveLength(planned.graph.nodes.length);
    const { gpu, cpu, reports } = await runAndCompare(h, planned, program);
    expect(reports.filter((r) => r.divergence)).toEqual([]);
    expect(reports.map((r) => r.node)).toEqual(planned.graph.nodes.map((n) => n.id));
    // activations share buffers, yet every captured value is the one its node wrote
    const activations = [...program.tensors.values()].filter((t) => t.role === 'activation');
    expect(program.buffers.filter((b) => b.kind === 'activation').length).toBeLessThan(activations.length);
    for (const t of activations) expect(gpu.values.get(t.id)!.data.length).toBe(t.elements);
    expect([...gpu.outputs.get('y')!.data]).toEqual([...cpu.outputs.get('y')!.data]);
    expect(gpu.codes.get('y')!.length).toBe(2 * 3 * 5 * 5);
    expect(gpu.quantStats).toEqual({ saturated: expect.any(Number), nan: 0 });
  });

  it('gives the same results with tensors split into chunks', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const planned = planNet(lowerNet(chain));
    const whole = programOf(planned, h.device);
    const chunked = buildWgslProgram(planned, { ...h.device.wgsl, maxStorageBufferBindingSize: 512 });
    expect(chunked.diagnostics).toEqual([]);
    const split = [...chunked.program!.tensors.values()].filter((t) => t.chunking);
    expect(split.map((t) => t.id)).toContain('x');
    const a = await runAndCompare(h, planned, whole);
    const b = await runAndCompare(h, planned, chunked.program!);
    expect(b.reports.filter((r) => r.divergence)).toEqual([]);
    for (const [id, t] of a.gpu.values) expect([...b.gpu.values.get(id)!.data], id).toEqual([...t.data]);
  });

  it('draws stochastic rounding from the CPU reference streams in training, step by step', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    // No batch norm or dropout, so the inference plan is the training plan; a net without a
    // loss cannot go through the training pipeline (autodiff needs one), so the mode is set here.
    const inference = planNet(
      lowerNet(`net S(batch: int = 2) {
        input x: f32[batch, 4, 6, 6]
        r = relu(x) -> fixed<2, 3, round: stochastic>
        output y = max_pool(r, kernel: 2, stride: 2) -> fixed<1, 2, round: stochastic>
      }`),
    );
    const planned: PipelineResult = { ...inference, mode: 'training' };
    const program = programOf(planned, h.device);
    const byStep: Float64Array[] = [];
    for (const step of [0, 1]) {
      const { gpu, reports } = await runAndCompare(h, planned, program, { training: true, seed: 11, step });
      expect(reports.filter((r) => r.divergence)).toEqual([]);
      expect(reports.every((r) => r.maxCodeDiff === 0)).toBe(true);
      byStep.push(gpu.outputs.get('y')!.data);
    }
    expect([...byStep[0]]).not.toEqual([...byStep[1]]);
  });

  it('times every layer with timestamp queries when the adapter has them', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const planned = planNet(lowerNet(chain));
    const net = await createWebgpuNet(h.device, programOf(planned, h.device), new Map(), { cache: h.cache });
    const r = await net.run(inputsOf(planned), { timing: true });
    net.destroy();
    if (!net.timestampQuery) return ctx.skip();
    expect(r.timings!.map((t) => t.node)).toEqual(planned.graph.nodes.map((n) => n.id));
    expect(r.timings!.every((t) => t.ms >= 0)).toBe(true);
    expect(r.wallMs).toBeGreaterThan(0);
  });

  it('turns bad weights, inputs and captures into diagnostics, and refuses to run after destroy', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    const b = new GraphBuilder('Bad');
    b.input('x', [2, 4]);
    b.input('label', [2], I32);
    b.op('d', 'dense', ['x'], { units: 3 });
    const planned = planNet(b.output('d').build());
    const program = buildWgslProgram(planned, h.device.wgsl, { lookup: lookupWith({ dense: { forward: zeroKernel } }) }).program!;
    const codes = async (p: Promise<unknown>) => {
      try {
        await p;
        return [];
      } catch (e) {
        if (!(e instanceof DiagnosticError)) throw e;
        return e.diagnostics.map((d) => d.code);
      }
    };
    expect(await codes(createWebgpuNet(h.device, program, new Map(), { cache: h.cache }))).toEqual(['LPC3060', 'LPC3060']);
    const weights = initWeights(planned.graph, 1);
    const wrong = new Map(weights);
    wrong.set('d.bias', { shape: [4], data: new Float64Array(4) });
    expect(await codes(createWebgpuNet(h.device, program, wrong, { cache: h.cache }))).toEqual(['LPC3064']);

    const net = await createWebgpuNet(h.device, program, weights, { cache: h.cache });
    const x = { shape: [2, 4], data: new Float64Array(8) };
    const label = { shape: [2], data: Float64Array.from([1, 0]) };
    expect(await codes(net.run(new Map([['x', x]])))).toEqual(['LPC3061']);
    expect(await codes(net.run(new Map([['x', { shape: [4, 2], data: x.data }], ['label', label]])))).toEqual(['LPC3064']);
    expect(await codes(net.run(new Map([['x', x], ['label', { shape: [2], data: Float64Array.from([0.5, 1]) }]])))).toEqual(['LPC5030']);
    expect(await codes(net.run(new Map([['x', x], ['label', label]]), { capture: ['nothing', 'd.weights'] }))).toEqual(['LPC5032', 'LPC5032']);
    expect(await codes(net.run(new Map([['x', x], ['label', label]])))).toEqual([]);
    net.destroy();
    expect(await codes(net.run(new Map([['x', x], ['label', label]])))).toEqual(['LPC5031']);
  });

  it('names the layer when the GPU rejects one of its dispatches', async (ctx) => {
    const h = await netHarness();
    if (!h) return ctx.skip();
    // A kernel whose shader needs a 4 KiB binding, bound to a 32-byte tensor: the dispatch is invalid.
    const oversized = (req: KernelRequest): KernelDispatch[] => {
      const b = new ShaderBuilder({ capabilities: req.capabilities, workgroupSize: 1 });
      const big = b.storageBuffer('big', 'u32', 'read_write', 1024);
      const shader = b.main([`${big}[0] = 1u;`]).build();
      return [{ label: `${req.node} (oversized)`, shader, workgroups: [1, 1, 1], uniforms: {}, bindings: [{ name: big, tensor: req.output.id }] }];
    };
    const b = new GraphBuilder('Rejected');
    b.input('x', [2, 4]);
    b.op('r', 'relu', ['x'], {}, { output: A8 });
    b.op('t', 'tanh', ['r']);
    b.op('u', 'sigmoid', ['r']);
    const planned = planNet(b.output('t').output('u').build());
    const program = buildWgslProgram(planned, h.device.wgsl, { lookup: lookupWith({ sigmoid: { forward: oversized } }) }).program!;
    const net = await createWebgpuNet(h.device, program, new Map(), { cache: h.cache });
    try {
      await net.run(inputsOf(planned));
      expect.unreachable('the run should fail');
    } catch (e) {
      expect(e).toBeInstanceOf(DiagnosticError);
      const d = (e as DiagnosticError).diagnostics[0];
      expect(d.code).toBe('LPC5010');
      expect(d.message).toContain("the GPU rejected a command of 'layer u (sigmoid)'");
    } finally {
      net.destroy();
    }
  });
});
