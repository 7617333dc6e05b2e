import { describe, expect, it } from 'vitest';
import { F32, fixed, type NumberType } from '../../../../src/numeric/number-type.js';
import { rngUniform } from '../../../../src/numeric/rng.js';
import { outputEnforcementStream } from '../../../../src/ir/streams.js';
import { dropoutOp } from '../../../../src/ops/dropout.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectExact, parity, tensorSpec } from './op-parity.js';

/**
 * dropout: the identity at inference; in training the reference's mask (same draws, same stream)
 * and the same f32 scaling; a fixed-point output rounded back to its type like the CPU executor's
 * output enforcement (stochastic types drawing from the enforcement stream).
 */
describe('dropout kernel', () => {
  const types: [string, NumberType][] = [
    ['f32', F32],
    ['fixed<3, 5>', fixed(3, 5)],
    ['fixed<4, 4, stochastic>', fixed(4, 4, 'stochastic')],
    ['fixed<8, 8, floor, saturate>', fixed(8, 8, 'floor', 'saturate')],
  ];

  it.for(types)('is a copy of %s at inference', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const { gpu, cpu, dispatches } = await parity(h, { op: dropoutOp, inputs: [tensorSpec(t, [3, 7, 13], 1)], attrs: { ratio: 0.5 } });
    expectExact(gpu, cpu.data);
    expect(dispatches[0].rng).toBeUndefined();
  });

  it.for(types)('draws the reference mask and scale over %s in training', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const ratio of [0, 0.3, 0.5, 0.9]) {
      const c = { op: dropoutOp, inputs: [tensorSpec(t, [3, 7, 13], 2)], attrs: { ratio }, training: true, seed: 21, step: 6, nodeIndex: 5 };
      const { gpu, cpu, dispatches } = await parity(h, c);
      expectExact(gpu, cpu.data, `ratio ${ratio}`);
      // scaled values leave a fixed grid: a stochastic type rounds them with the enforcement stream's draws
      const enforce = t.kind === 'fixed' && t.round === 'stochastic' ? [{ prefix: 'out_enf', stream: outputEnforcementStream(5) }] : [];
      expect(dispatches[0].rng).toEqual([{ prefix: 'rng', stream: 5 }, ...enforce]);
      const dropped = cpu.data.filter((v, i) => v === 0 && c.inputs[0].values[i] !== 0).length;
      expect(Math.abs(dropped / cpu.data.length - ratio)).toBeLessThan(0.1);
    }
  });

  it('compares the draw with the exact ratio, not the ratio rounded to f32', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const [seed, step, stream] = [3, 1, 0];
    const u = rngUniform(seed, step, stream, 5);
    // just above draw 5, below the next f32: an f32 compare would keep element 5; the reference drops it
    const ratio = u + 2 ** -40;
    expect(Math.fround(ratio)).toBe(u);
    const values = Array.from({ length: 9 }, () => 1);
    const { gpu, cpu } = await parity(h, { op: dropoutOp, inputs: [{ type: F32, shape: [9], values }], attrs: { ratio }, training: true, seed, step, nodeIndex: stream });
    expect(cpu.data[5]).toBe(0);
    expectExact(gpu, cpu.data);
  });
});
