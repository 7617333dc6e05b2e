import { describe, expect, it } from 'vitest';
import { convOp } from '../../src/ops/conv.js';
import { getOp } from '../../src/ops/registry.js';
import { fixed } from '../../src/numeric/number-type.js';
import { quantizeTensor } from '../../src/numeric/quantize.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import type { Attrs } from '../../src/ir/graph.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backwardLayer, forwardLayer, paramCount } from '../helpers/run-layer.js';
import { shapeOf, values } from '../helpers/run-op.js';

describe('conv', () => {
  it('is registered as an anchor with weights/bias/acc type slots', () => {
    expect(getOp('conv')).toBe(convOp);
    expect(convOp.fusion).toBe('anchor');
    expect(convOp.typeSlots).toEqual(['weights', 'bias', 'acc']);
  });

  describe('parameters', () => {
    it('LeNet conv1 has 20*1*5*5 + 20 = 520 parameters', () => {
      const attrs = { filters: 20, kernel: [5, 5] };
      expect(paramCount(convOp, [[64, 1, 28, 28]], attrs)).toBe(520);
      const specs = convOp.params!(attrs, [{ dtype: { kind: 'f32' }, shape: [64, 1, 28, 28] }]);
      expect(specs.map((p) => [p.slot, p.shape, p.typeSlot])).toEqual([
        ['weights', [20, 1, 5, 5], 'weights'],
        ['bias', [20], 'bias'],
      ]);
      expect(specs[0].filler).toEqual({ kind: 'xavier' });
      expect(specs[1].filler).toEqual({ kind: 'constant', value: 0 });
    });

    it('LeNet conv2 has 50*20*5*5 + 50 = 25,050; no bias with bias_term: false', () => {
      expect(paramCount(convOp, [[64, 20, 12, 12]], { filters: 50, kernel: [5, 5] })).toBe(25050);
      expect(paramCount(convOp, [[64, 20, 12, 12]], { filters: 50, kernel: [5, 5], bias_term: false })).toBe(25000);
    });

    it('groups divide the input channels of each filter', () => {
      const specs = convOp.params!({ filters: 6, kernel: 3, group: 2 }, [{ dtype: { kind: 'f32' }, shape: [1, 4, 8, 8] }]);
      expect(specs[0].shape).toEqual([6, 2, 3, 3]);
    });

    it('maps weight_init to Caffe fillers and bias_value to the bias filler', () => {
      const input = [{ dtype: { kind: 'f32' as const }, shape: [1, 3, 8, 8] }];
      const filler = (attrs: Attrs) => convOp.params!({ filters: 4, kernel: 3, ...attrs }, input).map((p) => p.filler);
      expect(filler({ weight_init: 'gaussian', weight_std: 0.05 })[0]).toEqual({ kind: 'gaussian', mean: 0, std: 0.05 });
      expect(filler({ weight_init: 'uniform', weight_std: 0.2 })[0]).toEqual({ kind: 'uniform', min: -0.2, max: 0.2 });
      expect(filler({ weight_init: 'msra' })[0]).toEqual({ kind: 'msra' });
      expect(filler({ weight_init: 'constant' })[0]).toEqual({ kind: 'constant', value: 0 });
      expect(filler({ bias_value: 0.1 })[1]).toEqual({ kind: 'constant', value: 0.1 });
    });
  });

  describe('shapes', () => {
    it('follows floor((in + 2*pad - (dilation*(k-1)+1)) / stride) + 1', () => {
      expect(shapeOf(convOp, [[64, 1, 28, 28]], { filters: 20, kernel: [5, 5] })).toEqual({ ok: true, shape: [64, 20, 24, 24] });
      expect(shapeOf(convOp, [[2, 3, 7, 7]], { filters: 4, kernel: 3, stride: 2, pad: 1 })).toEqual({ ok: true, shape: [2, 4, 4, 4] });
      expect(shapeOf(convOp, [[1, 3, 7, 9]], { filters: 4, kernel: [3, 3], dilation: [2, 2] })).toEqual({ ok: true, shape: [1, 4, 3, 5] });
      expect(shapeOf(convOp, [[1, 3, 227, 227]], { filters: 96, kernel: 11, stride: 4 })).toEqual({ ok: true, shape: [1, 96, 55, 55] });
      expect(shapeOf(convOp, [[1, 1, 5, 6]], { filters: 1, kernel: [1, 3], stride: [2, 1], pad: [0, 1] })).toEqual({
        ok: true,
        shape: [1, 1, 3, 6],
      });
    });

    it('reports a kernel that does not fit, blaming kernel', () => {
      expect(shapeOf(convOp, [[1, 1, 3, 3]], { filters: 2, kernel: [5, 5] })).toEqual({
        ok: false,
        message: 'kernel 5 x 5 does not fit input 3 x 3 with pad 0',
        hint: 'use a smaller kernel, or pad the input',
        blame: 'kernel',
      });
      const dilated = shapeOf(convOp, [[1, 1, 4, 4]], { filters: 2, kernel: 3, dilation: 2 });
      expect(dilated.ok || dilated.message).toBe('kernel 3 x 3 (dilated extent 5 x 5) does not fit input 4 x 4 with pad 0');
    });

    it('reports channels or filters not divisible by group', () => {
      const r = shapeOf(convOp, [[1, 3, 8, 8]], { filters: 4, kernel: 3, group: 2 });
      expect(r).toMatchObject({ ok: false, message: 'input channels 3 are not divisible by group 2', blame: 'group' });
      const f = shapeOf(convOp, [[1, 4, 8, 8]], { filters: 3, kernel: 3, group: 2 });
      expect(f).toMatchObject({ ok: false, message: 'filters 3 are not divisible by group 2', blame: 'filters' });
    });

    it('needs a 4-D input', () => {
      expect(shapeOf(convOp, [[1, 28, 28]], { filters: 2, kernel: 3 })).toMatchObject({
        ok: false,
        message: 'conv expects a 4-D input [batch, channels, height, width], got shape [1, 28, 28]',
        blame: 'x',
      });
    });

    it('counts N*Cout*Hout*Wout*(Cin/group)*kh*kw multiply-accumulates', () => {
      const input = [{ dtype: { kind: 'f32' as const }, shape: [64, 1, 28, 28] }];
      expect(convOp.macs!(input, [64, 20, 24, 24], { filters: 20, kernel: 5 })).toBe(64 * 20 * 24 * 24 * 25);
      const grouped = [{ dtype: { kind: 'f32' as const }, shape: [2, 4, 8, 8] }];
      expect(convOp.macs!(grouped, [2, 6, 6, 6], { filters: 6, kernel: 3, group: 2 })).toBe(2 * 6 * 6 * 6 * 2 * 9);
    });
  });

  describe('forward', () => {
    const x3 = tensorFrom([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

    it('cross-correlates and adds the bias', () => {
      const y = forwardLayer(convOp, [x3], [tensorFrom([1, 1, 2, 2], [1, 2, 3, 4]), tensorFrom([1], [0.5])], { filters: 1, kernel: 2 });
      expect(y.shape).toEqual([1, 1, 2, 2]);
      expect(values(y)).toEqual([37.5, 47.5, 67.5, 77.5]);
    });

    it('skips padding and honours stride', () => {
      const ones = tensorFrom([1, 1, 3, 3], new Array(9).fill(1));
      const w = tensorFrom([1, 1, 3, 3], new Array(9).fill(1));
      const y = forwardLayer(convOp, [ones], [w], { filters: 1, kernel: 3, pad: 1, stride: 2, bias_term: false });
      expect(values(y)).toEqual([4, 4, 4, 4]);
      const y1 = forwardLayer(convOp, [x3], [w], { filters: 1, kernel: 3, pad: 1, bias_term: false });
      expect(values(y1)).toEqual([12, 21, 16, 27, 45, 33, 24, 39, 28]);
    });

    it('dilates the kernel', () => {
      const x = tensorFrom([1, 1, 1, 5], [1, 2, 3, 4, 5]);
      const y = forwardLayer(convOp, [x], [tensorFrom([1, 1, 1, 2], [1, 10])], {
        filters: 1,
        kernel: [1, 2],
        dilation: [1, 2],
        bias_term: false,
      });
      expect(values(y)).toEqual([31, 42, 53]);
    });

    it('convolves each group with its own input channels', () => {
      const x = tensorFrom([1, 2, 1, 1], [2, 3]);
      const y = forwardLayer(convOp, [x], [tensorFrom([2, 1, 1, 1], [10, 100]), tensorFrom([2], [1, 2])], {
        filters: 2,
        kernel: 1,
        group: 2,
      });
      expect(values(y)).toEqual([21, 302]);
      // two filters per group over 4 channels: filters 0,1 see channels 0,1; filters 2,3 see 2,3
      const x4 = tensorFrom([1, 4, 1, 1], [1, 2, 3, 4]);
      const w = tensorFrom([4, 2, 1, 1], [1, 1, 1, -1, 1, 1, 1, -1]);
      expect(values(forwardLayer(convOp, [x4], [w], { filters: 4, kernel: 1, group: 2, bias_term: false }))).toEqual([3, -1, 7, -1]);
    });

    it('sums in f32, in fan-in order with the bias last, unless accumulate is exact', () => {
      // products 2^24, 1, 1: f32 loses each +1 (ties to even), the exact sum keeps both
      const x = tensorFrom([1, 1, 1, 3], [2 ** 24, 1, 1]);
      const w = tensorFrom([1, 1, 1, 3], [1, 1, 1]);
      const attrs = { filters: 1, kernel: [1, 3], bias_term: false };
      expect(values(forwardLayer(convOp, [x], [w], attrs))).toEqual([2 ** 24]);
      expect(values(forwardLayer(convOp, [x], [w], attrs, { accumulate: 'exact' }))).toEqual([2 ** 24 + 2]);
      // order: 1 + 2^24 rounds to 2^24 before the bias of 1 arrives
      const x2 = tensorFrom([1, 1, 1, 2], [1, 2 ** 24]);
      const y2 = forwardLayer(convOp, [x2], [tensorFrom([1, 1, 1, 2], [1, 1]), tensorFrom([1], [1])], { filters: 1, kernel: [1, 2] });
      expect(values(y2)).toEqual([2 ** 24]);
    });

    it('is exact on fixed-point inputs and weights with the exact accumulator', () => {
      const rand = testRandom(3);
      const tx = fixed(4, 4);
      const tw = fixed(2, 6);
      const x = randomTensor([2, 3, 5, 5], rand, 4);
      x.data = quantizeTensor(x.data, tx);
      const w = randomTensor([4, 3, 3, 3], rand, 1);
      w.data = quantizeTensor(w.data, tw);
      const y = forwardLayer(
        convOp,
        [x],
        [w],
        { filters: 4, kernel: 3, bias_term: false },
        { dtypes: [tx], paramTypes: [tw], accumulate: 'exact' },
      );
      // every output is an exact multiple of 2^-(4+6), and equals a plain f64 sum of products
      for (const v of y.data) expect(Number.isInteger(v * 2 ** 10)).toBe(true);
      let first = 0;
      for (let c = 0; c < 3; c++)
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) first += x.data[c * 25 + i * 5 + j] * w.data[c * 9 + i * 3 + j];
      expect(y.data[0]).toBe(first);
    });
  });

  describe('backward', () => {
    it('computes dx with the weights it is given (Q(W)) and dW, db from x and dy', () => {
      const x = tensorFrom([1, 1, 2, 2], [1, 2, 3, 4]);
      const w = tensorFrom([1, 1, 1, 1], [0.5]);
      const b = tensorFrom([1], [0]);
      const dy = tensorFrom([1, 1, 2, 2], [1, 1, 2, 2]);
      const g = backwardLayer(convOp, [x], [w, b], dy, { filters: 1, kernel: 1 });
      expect(values(g.inputs[0])).toEqual([0.5, 0.5, 1, 1]);
      expect(values(g.params[0])).toEqual([1 + 2 + 6 + 8]);
      expect(values(g.params[1])).toEqual([6]);
    });

    const cases: [string, number[], Attrs][] = [
      ['plain 3x3', [2, 3, 5, 5], { filters: 4, kernel: 3 }],
      ['odd sizes, stride 2, pad 1', [1, 2, 7, 6], { filters: 3, kernel: 3, stride: 2, pad: 1 }],
      ['groups', [2, 4, 5, 5], { filters: 6, kernel: 3, group: 2, pad: 1 }],
      ['dilation 2', [1, 2, 7, 7], { filters: 2, kernel: 3, dilation: 2 }],
      [
        'non-square kernel, mixed stride, no bias',
        [1, 3, 6, 7],
        { filters: 2, kernel: [2, 3], stride: [2, 1], pad: [1, 0], bias_term: false },
      ],
    ];
    for (const [name, shape, attrs] of cases) {
      it(`matches finite differences: ${name}`, () => {
        const rand = testRandom(shape.reduce((a, b) => a * 31 + b, 7));
        const cin = shape[1] / ((attrs.group as number | undefined) ?? 1);
        const kernel = Array.isArray(attrs.kernel) ? attrs.kernel : [attrs.kernel as number, attrs.kernel as number];
        const params = [randomTensor([attrs.filters as number, cin, kernel[0], kernel[1]], rand)];
        if (attrs.bias_term !== false) params.push(randomTensor([attrs.filters as number], rand));
        const failures = gradCheck({ op: convOp, inputs: [randomTensor(shape, rand)], params, attrs });
        expect(failures).toEqual([]);
      });
    }
  });
});
