import { describe, expect, it } from 'vitest';
import { PORTABLE_WGSL } from '../../../../src/codegen/wgsl/lib/capabilities.js';
import type { KernelRequest } from '../../../../src/codegen/wgsl/lib/kernel.js';
import type { Attrs } from '../../../../src/ir/graph.js';
import { F32, fixed, I32, type NumberType } from '../../../../src/numeric/number-type.js';
import { concatOp } from '../../../../src/ops/concat.js';
import { maxPoolOp } from '../../../../src/ops/max-pool.js';
import type { OpDef } from '../../../../src/ops/op-def.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { allOps } from '../../../../src/ops/registry.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { softmaxOp } from '../../../../src/ops/softmax.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectExact, parity, tensorSpec, withDefaults } from './op-parity.js';

/**
 * What every op kernel shares: a WGSL facet on every op (conv and dense belong to the GEMM
 * kernels), shader text independent of the shapes (one pipeline serves every layer of the same
 * types), and chunked tensors (bindings split as the planner splits tensors too large to bind).
 */
function request(op: OpDef, inputs: { type: NumberType; shape: number[] }[], attrs: Attrs, out: NumberType): KernelRequest {
  const a = withDefaults(op, attrs);
  const shape = op.inferShape(inputs.map((t) => ({ dtype: t.type, shape: t.shape })), a);
  if (!shape.ok) throw new Error(shape.message);
  return {
    capabilities: PORTABLE_WGSL,
    node: 'n',
    inputs: inputs.map((t, k) => ({ id: `in${k}`, type: t.type, shape: t.shape })),
    params: [],
    paramQuantizers: [],
    paramQuantizerStreams: [],
    output: { id: 'out', type: out, shape: shape.shape },
    attrs: a,
    epilogue: [],
    accumulate: 'f32',
    training: false,
    stream: 0,
  };
}

describe('op kernels', () => {
  it('every op but conv and dense has a WGSL forward; the epilogue ops also an elementwise stage', () => {
    const missing = allOps().filter((op) => !op.wgsl && op.name !== 'conv' && op.name !== 'dense');
    expect(missing.map((op) => op.name)).toEqual([]);
    for (const op of allOps().filter((o) => o.fusion === 'epilogue')) expect(op.wgsl?.elementwise, op.name).toBeDefined();
  });

  it('the shader text does not depend on the shapes or the attributes kept in uniforms', () => {
    const a8 = fixed(3, 5);
    const keys = (make: (k: number) => KernelRequest, op: OpDef) => new Set([0, 1, 2].map((k) => op.wgsl!.forward(make(k))[0].shader.key));
    const pools: { shape: number[]; attrs: Attrs }[] = [
      { shape: [2, 3, 7, 13], attrs: { kernel: [3, 3], stride: [2, 2], pad: [1, 1] } },
      { shape: [1, 8, 32, 32], attrs: { kernel: [2, 2], stride: [2, 2] } },
      { shape: [4, 5, 6, 6], attrs: { global: true } },
    ];
    expect(keys((k) => request(maxPoolOp, [{ type: a8, shape: pools[k].shape }], pools[k].attrs, a8), maxPoolOp).size).toBe(1);
    const rows = [[64, 10], [1, 1000], [3, 7]];
    expect(keys((k) => request(softmaxOp, [{ type: F32, shape: rows[k] }], {}, F32), softmaxOp).size).toBe(1);
    const cats = [[[2, 3, 5], [2, 4, 5]], [[1, 1, 1], [1, 7, 1]], [[9, 2, 2], [9, 1, 2]]];
    expect(keys((k) => request(concatOp, cats[k].map((shape) => ({ type: a8, shape })), { axis: 1 }, a8), concatOp).size).toBe(1);
  });

  it('reads and writes chunked tensors (8-bit, 16-bit, f32 and i32; words never straddle chunks)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const a8 = fixed(3, 5);
    for (const t of [a8, fixed(5, 9), F32, I32]) {
      const inputs = [tensorSpec(t, [3, 5, 13], 1), tensorSpec(t, [3, 2, 13], 2)];
      // 195 and 78 input elements, 273 output elements: 2 + 1 + 3 bindings
      const cat = await parity(h, { op: concatOp, inputs, attrs: { axis: 1 }, chunkElements: 128 });
      expectExact(cat.gpu, cat.cpu.data, `concat ${t.kind}`);
      expect(cat.dispatches[0].bindings.filter((b) => b.chunk !== undefined).length).toBe(2 + 3);
    }
    const pooled = await parity(h, {
      op: maxPoolOp,
      inputs: [tensorSpec(F32, [2, 3, 9, 9], 3)],
      attrs: { kernel: [3, 3], stride: [2, 2] },
      epilogue: [{ op: reluOp }, { op: quantizeOp, attrs: { to: a8 } }],
      chunkElements: 128,
    });
    expectExact(pooled.gpu, pooled.cpu.data, 'max_pool + relu + quantize');
  });
});
