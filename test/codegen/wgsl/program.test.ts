/**
 * The WGSL program planner without a device: the tensor table (roles, memory-plan buffers, stored
 * parameter types at inference and in training, chunking), the KernelRequest of each node
 * (streams, epilogue, accumulation, parameter quantizers), the diagnostics for ops without kernels
 * and for kernels that break the dispatch contract, and the manifest.
 *
 * Ops are the registry's, except where a test injects a fake kernel through `lookup` to see
 * exactly what the planner asks of a kernel (and to hold conv/dense to the planner's side of the
 * contract whatever their real kernels look like).
 */
import { describe, expect, it } from 'vitest';
import { PORTABLE_WGSL, type WgslCapabilities } from '../../../src/codegen/wgsl/lib/capabilities.js';
import type { KernelDispatch, KernelRequest } from '../../../src/codegen/wgsl/lib/kernel.js';
import { programManifest, programTotals, shaderFiles } from '../../../src/codegen/wgsl/program-manifest.js';
import { lookupWith, zeroKernel } from './fake-kernels.js';
import { buildWgslProgram } from '../../../src/codegen/wgsl/program.js';
import { chunkingFor } from '../../../src/codegen/wgsl/program-tensors.js';
import type { Graph } from '../../../src/ir/graph.js';
import { paramQuantizerStream } from '../../../src/ir/streams.js';
import { F32, fixed } from '../../../src/numeric/number-type.js';
import { getOp } from '../../../src/ops/registry.js';
import { runPipeline, type CompileMode } from '../../../src/passes/pipeline.js';
import { GraphBuilder } from '../../helpers/graph-builder.js';

const A8 = fixed(4, 4);
const W8 = fixed(2, 6);
const S8 = fixed(2, 6, 'stochastic');

function plan(g: Graph, mode: CompileMode = 'inference') {
  const r = runPipeline(g, { mode });
  expect(r.diagnostics).toEqual([]);
  return r;
}

/** x -> dense (8-bit weights, stochastic bias) -> relu -> A8, read by a tanh and a sigmoid; a second dense reading x. */
function denseNet(): Graph {
  const b = new GraphBuilder('Dense');
  b.input('x', [2, 6]);
  b.op('d.dense', 'dense', ['x'], { units: 5 }, { weights: W8, bias: S8 });
  b.op('d', 'relu', ['d.dense'], {}, { output: A8 });
  b.op('t', 'tanh', ['d']);
  b.op('u', 'sigmoid', ['d']);
  b.op('e', 'dense', ['x'], { units: 3 });
  return b.output('t').output('u').output('e').build();
}

describe('the WGSL program planner', () => {
  it('makes one request per node, with its epilogue, streams and accumulation, and stores typed weights packed at inference', () => {
    const seen: KernelRequest[] = [];
    const planned = plan(denseNet());
    const { program, diagnostics } = buildWgslProgram(planned, PORTABLE_WGSL, { lookup: lookupWith({ dense: { forward: zeroKernel } }, seen) });
    expect(diagnostics).toEqual([]);
    const p = program!;
    expect(p.nodes.map((n) => [n.id, n.fused.join('+'), n.index])).toEqual([
      ['d.dense', 'dense+relu+quantize', 0],
      ['t', 'tanh', 1],
      ['u', 'sigmoid', 2],
      ['e', 'dense', 3],
    ]);
    expect(p.dispatches).toHaveLength(planned.graph.nodes.length);

    const [d, , e] = seen.length === 2 ? [seen[0], undefined, seen[1]] : [];
    expect(d!.stream).toBe(0);
    expect(e!.stream).toBe(3);
    expect(d!.epilogue.map((s) => s.name)).toEqual(['relu', 'quantize fixed<4, 4>']);
    expect(d!.accumulate).toBe('f32'); // f32 input
    // inference: parameters arrive rounded and packed; nothing left to round while loading
    expect(d!.params.map((t) => [t.id, t.type])).toEqual([
      ['d.dense.weights', W8],
      ['d.dense.bias', S8],
    ]);
    expect(d!.paramQuantizers).toEqual([undefined, undefined]);
    expect(e!.params.map((t) => t.type)).toEqual([F32, F32]);

    const weights = p.tensors.get('d.dense.weights')!;
    expect(weights).toMatchObject({ role: 'param', bytes: 32, stored: { param: 'd.dense.weights', type: W8 } }); // 30 codes, 4 per word
    expect(p.tensors.get('x')!.role).toBe('input');
    expect(p.tensors.get('t')!.role).toBe('output');
    expect(p.tensors.get('e')!.role).toBe('output');
    expect(p.tensors.get('d')).toMatchObject({ role: 'activation', type: A8, pool: 0 });
  });

  it('in training, reads the f32 masters and rounds them while loading, stochastic ones on the parameter streams', () => {
    const seen: KernelRequest[] = [];
    const b = new GraphBuilder('Train');
    b.input('x', [2, 6]);
    b.input('label', [2], { kind: 'i32' });
    b.op('d', 'dense', ['x'], { units: 3 }, { weights: S8, bias: W8 });
    b.op('xent', 'softmax_cross_entropy', ['d', 'label']);
    const planned = plan(b.loss('xent').build(), 'training');
    const lookup = lookupWith({ dense: { forward: zeroKernel }, softmax_cross_entropy: { forward: zeroKernel } }, seen);
    const { program, diagnostics } = buildWgslProgram(planned, PORTABLE_WGSL, { lookup });
    expect(diagnostics).toEqual([]);
    const d = seen.find((r) => r.node === 'd')!;
    expect(d.training).toBe(true);
    expect(d.params.map((t) => t.type)).toEqual([F32, F32]);
    expect(d.paramQuantizers).toEqual([S8, W8]);
    expect(d.paramQuantizerStreams).toEqual([paramQuantizerStream(0, 0), undefined]);
    expect(program!.tensors.get('d.weights')).toMatchObject({ role: 'param', type: F32, bytes: 72 });
  });

  it('stores a parameter read at two types once per type', () => {
    const b = new GraphBuilder('Shared');
    b.input('x', [1, 4]);
    b.op('d', 'dense', ['x'], { units: 2 }, { weights: W8 });
    const g = b.output('d').build();
    // a second node reading the same master parameter unrounded
    g.nodes.push({ id: 'copy', op: 'relu', inputs: ['d.weights'], outputs: ['copy'], attrs: { negative_slope: 0 }, types: {} });
    g.values.set('copy', { id: 'copy', role: 'activation', producer: 'copy', type: { dtype: F32, shape: [2, 4] } });
    g.outputs.push({ name: 'copy', value: 'copy' });
    const seen: KernelRequest[] = [];
    const { program, diagnostics } = buildWgslProgram(plan(g), PORTABLE_WGSL, { lookup: lookupWith({ dense: { forward: zeroKernel } }, seen) });
    expect(diagnostics).toEqual([]);
    const params = [...program!.tensors.values()].filter((t) => t.role === 'param' && t.stored?.param === 'd.weights');
    expect(params.map((t) => [t.id, t.type])).toEqual([
      ['d.weights@fixed<2, 6>', W8],
      ['d.weights@f32', F32],
    ]);
    expect(seen[0].params[0].id).toBe('d.weights@fixed<2, 6>');
    expect(program!.nodes.find((n) => n.id === 'copy')!.inputs).toEqual(['d.weights@f32']);
  });

  it('puts activations in the memory plan buffers and keeps inputs, outputs and parameters apart', () => {
    const b = new GraphBuilder('Chain');
    b.input('x', [2, 3, 8, 8]);
    b.op('a', 'relu', ['x'], {}, { output: A8 });
    b.op('p', 'max_pool', ['a'], { kernel: [2, 2], stride: [2, 2] });
    b.op('f', 'flatten', ['p']);
    b.op('s', 'sigmoid', ['f']);
    b.op('r', 'reshape', ['s'], { shape: [2, 3, 4, 4] });
    const planned = plan(b.output('r').build());
    const { program, diagnostics } = buildWgslProgram(planned, PORTABLE_WGSL);
    expect(diagnostics).toEqual([]);
    const p = program!;
    const plannedBuffer = new Map(planned.memory.inference!.tensors.map((t) => [t.id, t.buffer]));
    const activations = [...p.tensors.values()].filter((t) => t.role === 'activation');
    // the flatten absorbed the sigmoid after it, so it writes `s`
    expect(activations.map((t) => t.id)).toEqual(['a', 'p', 's']);
    // tensors that share a plan buffer share a program buffer, and each buffer fits its largest tensor
    for (const x of activations) for (const y of activations) expect(x.pool === y.pool).toBe(plannedBuffer.get(x.id) === plannedBuffer.get(y.id));
    for (const buf of p.buffers) expect(buf.bytes).toBe(Math.max(...buf.tensors.map((id) => p.tensors.get(id)!.bytes)));
    expect(p.tensors.get('a')).toMatchObject({ type: A8, bytes: 2 * 3 * 8 * 8 }); // one byte per 8-bit code
    expect(p.tensors.get('r')!.role).toBe('output');
    expect(p.dispatches).toHaveLength(planned.graph.nodes.length);
  });

  it('chunks tensors larger than one storage binding and hands the chunking to the kernel', () => {
    const caps: WgslCapabilities = { ...PORTABLE_WGSL, maxStorageBufferBindingSize: 1024 };
    expect(chunkingFor(F32, 256, caps)).toBeUndefined();
    expect(chunkingFor(F32, 257, caps)).toEqual({ chunks: 2, chunkElements: 256 });
    expect(chunkingFor(A8, 2000, caps)).toEqual({ chunks: 2, chunkElements: 1024 });
    const b = new GraphBuilder('Big');
    b.input('x', [2, 3, 8, 8]);
    b.op('y', 'relu', ['x']);
    const { program, diagnostics } = buildWgslProgram(plan(b.output('y').build()), caps);
    expect(diagnostics).toEqual([]);
    expect(program!.tensors.get('x')!.chunking).toEqual({ chunks: 2, chunkElements: 256 });
    const d = program!.dispatches[0];
    expect(d.bindings.filter((x) => x.tensor === 'x').map((x) => x.chunk)).toEqual([0, 1]);
  });

  it('reports every layer whose op has no kernel, at the layer', () => {
    const lookup = lookupWith({ tanh: undefined, dense: undefined });
    const { program, diagnostics } = buildWgslProgram(plan(denseNet()), PORTABLE_WGSL, { lookup });
    expect(program).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['LPC5200', "layer 'd.dense' uses op 'dense', which has no WGSL kernel in this build of lpc"],
      ['LPC5200', "layer 't' uses op 'tanh', which has no WGSL kernel in this build of lpc"],
      ['LPC5200', "layer 'e' uses op 'dense', which has no WGSL kernel in this build of lpc"],
    ]);
    expect(diagnostics[1].span?.start.line).toBe(planned(denseNet()).graph.nodes[1].span?.start.line);
    expect(diagnostics[0].hint).toContain('--backend cpu');
  });

  it('reports an epilogue op without an elementwise form', () => {
    const quantize = getOp('quantize')!;
    const lookup = lookupWith({ dense: { forward: zeroKernel }, quantize: { forward: quantize.wgsl!.forward } });
    const { diagnostics } = buildWgslProgram(plan(denseNet()), PORTABLE_WGSL, { lookup });
    expect(diagnostics.map((d) => d.code)).toEqual(['LPC5201']);
    expect(diagnostics[0].message).toContain("layer 'd.dense' fuses 'quantize'");
  });

  it('holds kernels to the dispatch contract and reports generator failures at the layer', () => {
    const unbound: KernelDispatch['bindings'] = [];
    const broken = (req: KernelRequest): KernelDispatch[] => {
      const [d] = zeroKernel(req);
      return [{ ...d, bindings: [...d.bindings.slice(1), ...unbound, { name: 'nope', tensor: 'ghost' }], uniforms: { stray: 1 } }];
    };
    const r = buildWgslProgram(plan(denseNet()), PORTABLE_WGSL, { lookup: lookupWith({ dense: { forward: broken } }) });
    const messages = r.diagnostics.filter((d) => d.message.includes("'d.dense'")).map((d) => d.message.replace(/^.*dispatch '[^']*': /, ''));
    expect(r.diagnostics.every((d) => d.code === 'LPC5211')).toBe(true);
    expect(messages.sort()).toEqual([
      "binding 'nope' is not a storage binding of its shader",
      "binding 'nope' names tensor 'ghost', which is neither in the request nor declared as scratch",
      "the shader's binding 'in0' is not bound to any tensor",
      "uniform 'stray' is not a field of the shader",
    ]);
    const failing = buildWgslProgram(plan(denseNet()), PORTABLE_WGSL, {
      lookup: lookupWith({
        dense: {
          forward: () => {
            throw new Error('tile does not fit');
          },
        },
      }),
    });
    expect(failing.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['LPC5210', "the WGSL generator of 'dense' failed on layer 'd.dense': tile does not fit"],
      ['LPC5210', "the WGSL generator of 'dense' failed on layer 'e': tile does not fit"],
    ]);
  });

  it('writes a manifest with every tensor, buffer, dispatch and shader, and the shaders as files', () => {
    const planned = plan(denseNet());
    const { program } = buildWgslProgram(planned, PORTABLE_WGSL, { lookup: lookupWith({ dense: { forward: zeroKernel } }) });
    const p = program!;
    const m = JSON.parse(JSON.stringify(programManifest(p)));
    expect(m).toMatchObject({ format: 'lpc-wgsl-program', version: 1, net: 'Dense', mode: 'inference' });
    expect(m.totals).toEqual(programTotals(p));
    expect(m.totals.dispatches).toBe(4);
    expect(m.tensors.find((t: { id: string }) => t.id === 'd.dense.weights')).toMatchObject({ type: 'fixed<2, 6>', bytes: 32, f32Bytes: 120, param: 'd.dense.weights' });
    expect(m.nodes[0]).toMatchObject({ id: 'd.dense', fused: ['dense', 'relu', 'quantize'], epilogue: ['relu', 'quantize fixed<4, 4>'], dispatches: [0] });
    const first = m.dispatches[0];
    expect(first.bindings.map((x: { binding: number }) => x.binding)).toEqual([0, 1, 2, 3]);
    expect(m.shaders.map((s: { key: string }) => s.key)).toEqual([...p.shaders.keys()]);
    const files = shaderFiles(p);
    expect(Object.keys(files)).toEqual(m.shaders.map((s: { file: string }) => s.file.replace(/^shaders\//, '')));
    for (const s of m.shaders) expect(files[s.file.replace(/^shaders\//, '')]).toContain('@compute');
  });
});

function planned(g: Graph) {
  return runPipeline(g, { mode: 'inference' });
}
