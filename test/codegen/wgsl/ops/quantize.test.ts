import { describe, expect, it } from 'vitest';
import { enforcementStream } from '../../../../src/codegen/wgsl/lib/templates/element-result.js';
import { outputEnforcementStream } from '../../../../src/ir/streams.js';
import { F32, fixed, OVERFLOW_MODES, ROUND_MODES, type FixedType, type NumberType } from '../../../../src/numeric/number-type.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectExact, parity, random, randomValues, type TensorSpec } from './op-parity.js';

/**
 * The quantize op's kernel and its epilogue stage against the CPU reference: codes equal (===) in
 * every rounding x overflow mode, packed at 8, 16 and 32 bits, stochastic rounding drawing the
 * reference's draws from the node's stream in training and rounding with `nearest` at inference.
 */

/** f32 values around and beyond the range of t: halves of the grid, random values, specials. */
function inputValues(t: FixedType, count: number, seed: number): Float64Array {
  const r = random(seed);
  const ulp = 2 ** -t.fracBits;
  const top = 2 ** (t.intBits - 1);
  const out = new Float64Array(count);
  const specials = [NaN, Infinity, -Infinity, -0, 0, top, -top, top - ulp / 2, -top + ulp / 2, 1e30, -1e30];
  for (let i = 0; i < count; i++) {
    if (i < specials.length) out[i] = specials[i];
    else if (i % 3 === 0) out[i] = (Math.floor(r() * 8 * top / ulp) - 4 * top / ulp + 0.5) * ulp; // exact halves
    else out[i] = Math.fround((r() * 2 - 1) * 1.5 * top);
  }
  return out;
}

const SHAPE = [3, 7, 13]; // 273 elements: odd, so packed outputs end in a partial word

function f32Input(t: FixedType, seed: number): TensorSpec {
  return { type: F32, shape: SHAPE, values: inputValues(t, 273, seed) };
}

const tag = (t: FixedType) => `fixed<${t.intBits}, ${t.fracBits}, ${t.round}, ${t.overflow}>`;

describe('quantize kernel', () => {
  const modes8 = ROUND_MODES.flatMap((round) => OVERFLOW_MODES.map((overflow) => fixed(3, 5, round, overflow)));
  it.for(modes8.map((t) => [tag(t), t] as const))('%s at inference: codes equal the reference', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const { gpu, cpu } = await parity(h, { op: quantizeOp, inputs: [f32Input(t, 5)], attrs: { to: t } });
    expectExact(gpu, cpu.data);
  });

  it.for(OVERFLOW_MODES.map((o) => [o, fixed(3, 5, 'stochastic', o)] as const))('stochastic %s in training: the reference draws of the node stream', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const c = { op: quantizeOp, inputs: [f32Input(t, 6)], attrs: { to: t }, training: true, seed: 17, step: 4, nodeIndex: 9 };
    const { gpu, cpu, dispatches } = await parity(h, c);
    expectExact(gpu, cpu.data);
    expect(dispatches[0].rng).toEqual([{ prefix: 'rng', stream: 9 }]);
    // another step draws differently: the keys really reach the kernel
    const other = await parity(h, { ...c, step: 5 });
    expectExact(other.gpu, other.cpu.data);
    expect(Array.from(other.gpu)).not.toEqual(Array.from(gpu));
  });

  const wide: FixedType[] = [fixed(6, 10, 'even', 'saturate'), fixed(4, 12, 'stochastic', 'wrap'), fixed(16, 16, 'nearest', 'saturate'), fixed(1, 31, 'floor'), fixed(20, 4, 'zero', 'wrap')];
  it.for(wide.map((t) => [tag(t), t] as const))('%s (16- and 32-bit storage): codes equal the reference, in training too', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const training of [false, true]) {
      const { gpu, cpu } = await parity(h, { op: quantizeOp, inputs: [f32Input(t, 7)], attrs: { to: t }, training, seed: 3, step: 2, nodeIndex: 4 });
      expectExact(gpu, cpu.data, `training ${training}`);
    }
  });

  it.for(
    (
      [
        [fixed(4, 8), fixed(3, 5, 'stochastic')],
        [fixed(2, 6, 'nearest', 'saturate'), fixed(5, 11, 'even')],
        [fixed(12, 12), fixed(2, 2, 'floor', 'wrap')],
      ] as [FixedType, FixedType][]
    ).map(([from, to]) => [tag(from), tag(to), from, to] as const),
  )('re-quantizes a packed %s input to %s', async ([, , from, to], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const shape of [[1], [65], [2, 3, 13]]) {
      const input: TensorSpec = { type: from, shape, values: randomValues(from, shape.reduce((a, d) => a * d, 1), 11) };
      const { gpu, cpu } = await parity(h, { op: quantizeOp, inputs: [input], attrs: { to }, training: true, seed: 2, step: 1 });
      expectExact(gpu, cpu.data, `shape ${shape.join('x')}`);
    }
  });

  it('as an epilogue stage: relu kernel + quantize, stochastic in training, drawing from the node stream', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const t = fixed(2, 6, 'stochastic', 'saturate');
    for (const training of [false, true]) {
      const c = { op: reluOp, inputs: [f32Input(t, 8)], epilogue: [{ op: quantizeOp, attrs: { to: t } }], training, seed: 5, step: 3, nodeIndex: 2 };
      const { gpu, cpu, dispatches } = await parity(h, c);
      expectExact(gpu, cpu.data, `training ${training}`);
      expect(dispatches).toHaveLength(1);
      expect(dispatches[0].rng ?? []).toEqual(training ? [{ prefix: 'ep0', stream: 2 }] : []);
    }
  });

  it('a quantize node may host an epilogue: quantize -> relu -> quantize to another type', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const a = fixed(4, 4, 'stochastic');
    const b: NumberType = fixed(3, 3, 'even', 'saturate');
    const c = { op: quantizeOp, inputs: [f32Input(a, 9)], attrs: { to: a }, epilogue: [{ op: reluOp }, { op: quantizeOp, attrs: { to: b } }], training: true, seed: 8, step: 0, nodeIndex: 1 };
    const { gpu, cpu } = await parity(h, c);
    expectExact(gpu, cpu.data);
  });

  it('repeats the output-enforcement stream of src/ir/streams.ts', () => {
    for (const i of [0, 1, 77, 2 ** 24 - 1]) expect(enforcementStream(i)).toBe(outputEnforcementStream(i));
  });
});
