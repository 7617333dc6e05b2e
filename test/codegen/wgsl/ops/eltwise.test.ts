import { describe, expect, it } from 'vitest';
import type { Attrs } from '../../../../src/ir/graph.js';
import { F32, fixed, type NumberType } from '../../../../src/numeric/number-type.js';
import { eltwiseOp } from '../../../../src/ops/eltwise.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectExact, parity, tensorSpec } from './op-parity.js';

/**
 * eltwise (sum with and without coeffs, prod, max) against the reference: the same f32 operations
 * in input order, so values agree bit for bit; inputs of mixed packed types; more inputs than one
 * shader may bind (folded over several dispatches through a scratch accumulator).
 */
const MIXED: NumberType[] = [F32, fixed(3, 5), fixed(6, 10, 'nearest', 'saturate'), F32, fixed(2, 2), fixed(8, 8)];

const CASES: [string, Attrs][] = [
  ['sum', {}],
  ['sum with coeffs', { coeffs: [0.5, -1, 0.1, 3, -0.3, 1e-3] }],
  ['prod', { operation: 'prod' }],
  ['max', { operation: 'max' }],
];

describe('eltwise kernel', () => {
  it.for(CASES)('%s of 2, 3 and 6 inputs of mixed types', async ([, attrs], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const n of [2, 3, 6]) {
      for (const shape of [[1], [3, 7, 13], [65]]) {
        const inputs = MIXED.slice(0, n).map((t, k) => tensorSpec(t, shape, 10 * n + k, 3));
        const a = attrs.coeffs ? { ...attrs, coeffs: (attrs.coeffs as number[]).slice(0, n) } : attrs;
        const { gpu, cpu, dispatches } = await parity(h, { op: eltwiseOp, inputs, attrs: a });
        expectExact(gpu, cpu.data, `${n} inputs, shape ${shape.join('x')}`);
        expect(dispatches).toHaveLength(1);
      }
    }
  });

  it.for(CASES)('%s over more inputs than a shader binds: several dispatches, the same values', async ([, attrs], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const capabilities = { ...h.wgsl, maxStorageBuffersPerShaderStage: 4 };
    const inputs = MIXED.map((t, k) => tensorSpec(t, [5, 13], 70 + k, 2));
    const { gpu, cpu, dispatches } = await parity(h, { op: eltwiseOp, inputs, attrs, capabilities });
    expectExact(gpu, cpu.data);
    // 6 inputs, 2 per partial dispatch beside the accumulator and the output
    expect(dispatches.length).toBe(3);
    for (const d of dispatches) expect(d.bindings.length).toBeLessThanOrEqual(4);
  });

  it('hosts relu + quantize epilogues with a packed 8-bit output', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const inputs = [tensorSpec(F32, [2, 3, 7], 1), tensorSpec(fixed(3, 5), [2, 3, 7], 2)];
    const epilogue = [{ op: reluOp }, { op: quantizeOp, attrs: { to: fixed(3, 5, 'stochastic') } }];
    for (const training of [false, true]) {
      const { gpu, cpu } = await parity(h, { op: eltwiseOp, inputs, attrs: { operation: 'sum', coeffs: [0.25, 2] }, epilogue, training, seed: 4, step: 9, nodeIndex: 3 });
      expectExact(gpu, cpu.data, `training ${training}`);
    }
  });
});
