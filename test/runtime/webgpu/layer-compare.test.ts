/**
 * The contract check behind `lpc diff` and the differential tests, on the CPU alone: the "GPU"
 * values are the CPU's own with chosen elements changed, so each rule is exercised exactly:
 * codes equal, one code apart only at a rounding boundary on an f32 path, the exact i32 path
 * held to equal codes, f32 within 1e-5 * max(1, |cpu|), and each layer judged on its own inputs.
 */
import { describe, expect, it } from 'vitest';
import { divergenceDiagnostic, layerTable } from '../../../src/cli/diff/render.js';
import { fixed, type NumberType } from '../../../src/numeric/number-type.js';
import type { Tensor } from '../../../src/numeric/tensor.js';
import { runPipeline } from '../../../src/passes/pipeline.js';
import { runForward } from '../../../src/runtime/cpu/executor.js';
import { compareLayers, withinTolerance } from '../../../src/runtime/webgpu/layer-compare.js';
import { GraphBuilder } from '../../helpers/graph-builder.js';

const A8 = fixed(4, 4);
const opts = { training: false, seed: 1, step: 0 };

function tensor(shape: number[], values: number[]): Tensor {
  return { shape, data: Float64Array.from(values, (v) => Math.fround(v)) };
}

/** y = relu(x) -> A8, z = tanh(y). */
function chain() {
  const b = new GraphBuilder('C');
  b.input('x', [1, 4]);
  b.op('y', 'relu', ['x'], {}, { output: A8 });
  b.op('z', 'tanh', ['y']);
  b.op('w', 'sigmoid', ['y']);
  const r = runPipeline(b.output('z').output('w').build(), { mode: 'inference' });
  expect(r.diagnostics).toEqual([]);
  return r.graph;
}

function copy(values: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  return new Map([...values].map(([k, t]) => [k, { shape: [...t.shape], data: Float64Array.from(t.data) }]));
}

describe('layer-by-layer comparison under the contract', () => {
  // 0.3 * 16 = 4.8 (code 5, far from a boundary); (6.5 + 2^-20) / 16 sits 1e-7 above the 6|7 boundary
  const x = tensor([1, 4], [0.3, (6.5 + 2 ** -20) / 16, -1, 2]);

  it('accepts equal results and reports per-layer maxima', () => {
    const g = chain();
    const cpu = runForward(g, new Map(), new Map([['x', x]]), opts);
    const reports = compareLayers(g, cpu.values, cpu.values, { ...opts, endToEnd: cpu.values });
    expect(reports.map((r) => [r.node, r.fused, r.maxAbsDiff, r.maxCodeDiff, r.divergence])).toEqual([
      ['y', 'relu+quantize', 0, 0, undefined],
      ['z', 'tanh', 0, undefined, undefined],
      ['w', 'sigmoid', 0, undefined, undefined],
    ]);
    expect(divergenceDiagnostic(reports)).toBeUndefined();
    expect(layerTable(reports)[0]).toMatch(/^layer +fused +output +max \|Δ\|/);
  });

  it('allows one code apart at a rounding boundary, and judges later layers on the GPU inputs', () => {
    const g = chain();
    const cpu = runForward(g, new Map(), new Map([['x', x]]), opts);
    expect(cpu.values.get('y')!.data[1] * 16).toBe(7);
    const gpu = copy(cpu.values);
    gpu.get('y')!.data[1] = 6 / 16; // rounded down: within 1e-5 of the boundary, allowed
    // the later layers computed from that value, as a GPU would
    const later = runForward(g, new Map(), new Map([['x', tensor([1, 4], [0.3, 6 / 16, -1, 2])]]), opts);
    for (const id of ['z', 'w']) gpu.set(id, later.values.get(id)!);
    const reports = compareLayers(g, cpu.values, gpu, { ...opts, endToEnd: cpu.values });
    expect(reports.map((r) => [r.node, r.boundaryFlips, r.maxCodeDiff, r.divergence])).toEqual([
      ['y', 1, 1, undefined],
      ['z', 0, undefined, undefined],
      ['w', 0, undefined, undefined],
    ]);
    expect(reports[1].maxAbsDiff).toBe(0);
    expect(reports[1].endToEndMaxAbsDiff).toBeGreaterThan(0.01);
  });

  it('reports a code one apart away from a boundary, with both values, codes and the value rounded', () => {
    const g = chain();
    const cpu = runForward(g, new Map(), new Map([['x', x]]), opts);
    const gpu = copy(cpu.values);
    gpu.get('y')!.data[0] = 6 / 16;
    const reports = compareLayers(g, cpu.values, gpu, opts);
    expect(reports[0].divergence).toEqual({
      element: 0,
      indices: [0, 0],
      gpu: 0.375,
      cpu: 0.3125,
      gpuCode: 6,
      cpuCode: 5,
      preQuantization: Math.fround(0.3),
      rule: 'codes one apart, away from a rounding boundary',
    });
    const d = divergenceDiagnostic(reports)!;
    expect(d.code).toBe('LPC9220');
    expect(d.message).toBe("the backends diverge first at layer 'y' (relu+quantize), output 'y' element [0, 0] (flat 0)");
    expect(d.notes.map((n) => n.message)[0]).toBe('webgpu: 0.375 (code 6); cpu reference: 0.3125 (code 5)');
    gpu.get('y')!.data[0] = 8 / 16;
    expect(compareLayers(g, cpu.values, gpu, opts)[0].divergence?.rule).toBe('codes differ by more than one');
  });

  it('holds f32 results to 1e-5 * max(1, |cpu|)', () => {
    expect(withinTolerance(1 + 0.9e-5, 1)).toBe(true);
    expect(withinTolerance(1 + 1.1e-5, 1)).toBe(false);
    expect(withinTolerance(1000 + 0.009, 1000)).toBe(true);
    expect(withinTolerance(0.5e-5, 0)).toBe(true);
    expect(withinTolerance(NaN, NaN)).toBe(true);
    expect(withinTolerance(NaN, 0)).toBe(false);
    const g = chain();
    const cpu = runForward(g, new Map(), new Map([['x', x]]), opts);
    const gpu = copy(cpu.values);
    gpu.get('z')!.data[3] += 2e-5;
    const r = compareLayers(g, cpu.values, gpu, opts);
    expect(r[1].divergence?.element).toBe(3);
    expect(r[1].divergence?.rule).toBe('|gpu - cpu| > 0.00001 * max(1, |cpu|)');
  });

  it('holds the exact i32 path to equal codes, even at a rounding boundary', () => {
    const b = new GraphBuilder('Exact');
    const X: NumberType = fixed(4, 4);
    b.input('x', [1, 2], X);
    b.op('d', 'dense', ['x'], { units: 1, bias_term: false }, { weights: fixed(2, 6), output: fixed(4, 1) });
    const planned = runPipeline(b.output('d').build(), { mode: 'inference' });
    expect(planned.graph.nodes[0].accumulator?.kind).toBe('i32');
    // 0.25 * 0.5 + 0.25 * 0.5 = 0.25 = half a code of 2^-1: a tie, which nearest rounds up to code 1
    const weights = new Map([['d.weights', tensor([1, 2], [0.5, 0.5])]]);
    const inputs = new Map([['x', tensor([1, 2], [0.25, 0.25])]]);
    const cpu = runForward(planned.graph, weights, inputs, opts);
    expect(cpu.values.get('d')!.data[0]).toBe(0.5);
    const gpu = copy(cpu.values);
    gpu.get('d')!.data[0] -= 0.5;
    const r = compareLayers(planned.graph, cpu.values, gpu, opts);
    expect(r[0].divergence?.rule).toBe('codes one apart, away from a rounding boundary');
  });
});
