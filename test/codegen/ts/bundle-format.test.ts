/**
 * What a compiled bundle carries: the WGSL program read back from its manifest equals the program
 * it was written from (tensors with chunking and buffers, dispatches, shader interfaces), the
 * backward plan survives its JSON form, and the net interface says what the generated class
 * takes and returns.
 */
import { describe, expect, it } from 'vitest';
import { decodePlan, encodePlan, netBundle } from '../../../src/codegen/ts/bundle-format.js';
import { netInterface } from '../../../src/codegen/ts/net-interface.js';
import { PORTABLE_WGSL, type WgslCapabilities } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { buildWgslProgram, type WgslProgram } from '../../../src/codegen/wgsl/program.js';
import { decodeGraph } from '../../../src/ir/graph-json.js';
import { runPipeline } from '../../../src/passes/pipeline.js';
import { manifestProblem, programFromManifest } from '../../../src/runtime/bundle/program-json.js';
import { lowerExampleNet } from '../../helpers/examples.js';

function programOf(net: string, caps: WgslCapabilities, params: Record<string, string> = {}): WgslProgram {
  const planned = runPipeline(lowerExampleNet('lenet.lpnet', net, params), { mode: 'inference' });
  const built = buildWgslProgram(planned, caps);
  expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return built.program!;
}

/** A program without its kernel requests (which a manifest does not carry), as plain data. */
function comparable(p: WgslProgram): unknown {
  return {
    ...p,
    graph: undefined,
    nodes: p.nodes.map((n) => ({ ...n, request: undefined })),
    tensors: [...p.tensors.values()],
    shaders: [...p.shaders.values()].map((s) => ({ ...s, bindings: s.bindings.map((b) => ({ ...b })), workgroupSize: [...s.workgroupSize] })),
    capabilities: undefined,
  };
}

describe('bundle format', () => {
  for (const [what, caps] of [
    ['portable limits', PORTABLE_WGSL],
    ['tensors split into chunks', { ...PORTABLE_WGSL, maxStorageBufferBindingSize: 256 * 1024 }],
  ] as const) {
    it(`reads LeNet8's program back from its manifest (${what})`, () => {
      const p = programOf('LeNet8', caps, { batch: '2' });
      if (what !== 'portable limits') expect([...p.tensors.values()].some((t) => t.chunking)).toBe(true);
      const b = netBundle(p, p.graph, netInterface(p.graph), '0.0.0');
      const json = JSON.parse(JSON.stringify(b));
      expect(manifestProblem(json.manifest)).toBeUndefined();
      const back = programFromManifest(json.manifest, json.shaders, decodeGraph(json.graph));
      expect(comparable(back)).toEqual(comparable(p));
      expect(back.capabilities.maxStorageBufferBindingSize).toBe(caps.maxStorageBufferBindingSize);
      expect(back.nodes.every((n) => n.request === undefined)).toBe(true);
    });
  }

  it('refuses a manifest of another format, and a bundle whose shader text is missing', () => {
    const p = programOf('LeNet8', PORTABLE_WGSL, { batch: '1' });
    const b = JSON.parse(JSON.stringify(netBundle(p, p.graph, netInterface(p.graph), '0.0.0')));
    expect(manifestProblem({ ...b.manifest, version: 99 })).toMatch(/version 99/);
    expect(manifestProblem(b.graph)).toMatch(/format is "lpc-graph"/);
    const key = Object.keys(b.shaders)[0];
    delete b.shaders[key];
    expect(() => programFromManifest(b.manifest, b.shaders, decodeGraph(b.graph))).toThrow(`the WGSL text of shader ${key}`);
  });

  it('keeps the backward plan through JSON', () => {
    const r = runPipeline(lowerExampleNet('lenet.lpnet', 'LeNet8', { batch: '2' }), { mode: 'training' });
    const plan = r.backward!;
    const back = decodePlan(JSON.parse(JSON.stringify(encodePlan(plan))));
    expect(back).toEqual(plan);
    expect(back.steps.some((s) => s.gradInputs.includes(undefined))).toBe(true);
  });

  it("LeNet8's interface: infer takes the image and returns probs; evaluate and trainStep take the labels", () => {
    const g = runPipeline(lowerExampleNet('lenet.lpnet', 'LeNet8'), { mode: 'inference' }).graph;
    const i = netInterface(g);
    expect(i.batch).toBe(64);
    expect(i.infer).toEqual({ inputs: ['image'], outputs: ['probs'], partialBatch: true });
    expect(i.evaluate).toBe(true);
    expect(i.train).toBe(true);
    expect(i.inputs.map((t) => [t.name, t.type, t.shape, t.array, t.batched])).toEqual([
      ['image', 'f32', [64, 1, 28, 28], 'Float32Array', true],
      ['label', 'i32', [64], 'Int32Array', true],
    ]);
    expect(i.outputs.map((o) => [o.name, o.needs])).toEqual([
      ['probs', ['image']],
      ['top1', ['image', 'label']],
    ]);
    expect(i.losses.map((o) => [o.name, o.shape, o.batched])).toEqual([['xent', [], false]]);
  });

  it('a net without labels or batch parameter: infer takes everything, no partial batches, no evaluate', () => {
    const g = runPipeline(lowerExampleNet('lenet.lpnet', 'LeNet8', { batch: '1' }), { mode: 'inference' }).graph;
    expect(netInterface(g).infer.partialBatch).toBe(false);
    const single = netInterface({ ...g, netParams: {}, outputs: g.outputs.filter((o) => o.name === 'probs'), losses: [] });
    expect(single.batch).toBeUndefined();
    expect(single.infer.partialBatch).toBe(false);
    expect(single.evaluate).toBe(true); // the label input is not taken by infer
    expect(single.train).toBe(false);
  });
});
