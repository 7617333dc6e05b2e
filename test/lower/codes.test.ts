import { describe, expect, it } from 'vitest';
import { LOWER_CODES } from '../../src/lower/codes.js';
import { linesOf, type LowerOpts } from './helpers.js';
import { testOps } from './test-ops.js';

/** A net with a matrix input `x` ([1, 4]) and `body` from line 3 on. */
const net = (body: string, head = 'net N') => `${head} {\n  input x: f32[1, 4]\n${body}\n}`;
/** A valid net N followed by a train section on line 5. */
const train = (settings: string, name = 'N') => `${net('  output y = relu(x)')}\ntrain ${name} { ${settings} }`;

interface Case {
  code: string;
  src: string;
  /** Every diagnostic of the run, one-line rendered: a case also proves nothing cascades. */
  expected: string[];
  opts?: LowerOpts;
}

const cases: Case[] = [
  // ---- names, ops, attributes (LPC12xx)
  { code: 'LPC1200', src: net('  output y = relu(z)'), expected: ['t.lpnet:3:19: error LPC1200: unknown name `z`'] },
  { code: 'LPC1201', src: net('  output y = rleu(x)'), expected: ['t.lpnet:3:14: error LPC1201: unknown op or block `rleu`'] },
  { code: 'LPC1202', src: net('  output y = relu(x, slope: 0.1)'), expected: ['t.lpnet:3:22: error LPC1202: `relu` has no attribute `slope`'] },
  {
    code: 'LPC1203',
    src: 'net N {\n  input x: f32[1, 1, 8, 8]\n  output y = conv(x, kernel: 3)\n}',
    expected: ['t.lpnet:3:14: error LPC1203: `conv` needs attribute `filters`'],
  },
  {
    code: 'LPC1204',
    src: net('  output y = relu(x, negative_slope: 0.1, negative_slope: 0.2)'),
    expected: ['t.lpnet:3:43: error LPC1204: `negative_slope` is given twice in the call of `relu`'],
  },
  {
    code: 'LPC1205',
    src: 'net N {\n  input x: f32[1, 1, 8, 8]\n  output y = conv(x, filters: 2, kernel: 3, stride: "2")\n}',
    expected: ['t.lpnet:3:53: error LPC1205: `stride` of `conv` must be one int or a list of 2 ints, got the string "2"'],
  },
  {
    code: 'LPC1206',
    src: 'net N {\n  input x: f32[1, 1, 8, 8]\n  output y = conv(x, filters: 0, kernel: 3)\n}',
    expected: ['t.lpnet:3:31: error LPC1206: `filters` of `conv` must be at least 1, got 0'],
  },
  {
    code: 'LPC1207',
    src: 'net N {\n  input x: f32[1, 1, 8, 8]\n  output y = conv(x, filters: 2, kernel: 3, weight_init: xavir)\n}',
    expected: ['t.lpnet:3:58: error LPC1207: `xavir` is not a choice for `weight_init` of `conv`'],
  },
  {
    code: 'LPC1208',
    src: 'net N {\n  input x: f32[1, 1, 8, 8]\n  output y = conv(x, filters: 2, kernel: [3, 3, 3])\n}',
    expected: ['t.lpnet:3:42: error LPC1208: `kernel` of `conv` takes one int or a list of 2 ints, got 3 values [3, 3, 3]'],
  },
  {
    code: 'LPC1209',
    src: net('  output y = relu(x, weights: fixed<2, 6>)'),
    expected: ['t.lpnet:3:22: error LPC1209: `relu` has no `weights:` type; it has no declared-type slots'],
  },
  {
    code: 'LPC1210',
    src: net('  output y = relu(x, x)'),
    expected: ['t.lpnet:3:22: error LPC1210: `relu` takes 1 input (x), but this is positional argument 2'],
  },
  {
    code: 'LPC1211',
    src: net('  output y = relu(3)'),
    expected: ['t.lpnet:3:19: error LPC1211: a tensor is needed here, but this is the int 3'],
  },
  {
    code: 'LPC1212',
    src: net('  output y = x + x'),
    expected: ['t.lpnet:3:14: error LPC1212: `+` works on numbers, not on tensors'],
  },
  { code: 'LPC1213', src: net('  n = 4 % 0\n  output y = relu(x)'), expected: ['t.lpnet:3:11: error LPC1213: remainder by zero'] },
  {
    code: 'LPC1214',
    src: 'net N {\n  input x: f32[1, 1, 8, 8]\n  output y = conv(x, filters: 5 / 2, kernel: 3)\n}',
    expected: ['t.lpnet:3:31: error LPC1214: `filters` of `conv` must be a whole number, got 2.5'],
  },
  {
    code: 'LPC1215',
    src: net('  n = 9007199254740991 * 2\n  output y = relu(x)'),
    expected: ['t.lpnet:3:7: error LPC1215: the integer 18014398509481982 is too large to be exact'],
  },
  {
    code: 'LPC1216',
    src: `block b(x) { return x }\nblock b(x) { return x }\n${net('  output y = b(x)')}`,
    expected: ['t.lpnet:2:7: error LPC1216: block `b` is already defined as block `b`'],
  },
  {
    code: 'LPC1217',
    src: net('  input x: f32[1, 4]\n  output y = relu(x)'),
    expected: ['t.lpnet:3:9: error LPC1217: `x` is already defined'],
  },
  {
    code: 'LPC1218',
    src: net('  batch = relu(x)\n  output y = relu(x)', 'net N(batch: int = 1)'),
    expected: ['t.lpnet:3:3: error LPC1218: `batch` is a parameter and cannot be rebound'],
  },
  {
    code: 'LPC1219',
    src: `block a(x) { return b(x) }\nblock b(x) { return a(x) }\n${net('  output y = a(x)')}`,
    expected: ['t.lpnet:2:21: error LPC1219: block `a` calls itself: a -> b -> a'],
  },
  {
    code: 'LPC1220',
    src: `block b(x) { y = relu(x) }\n${net('  output y = b(x)')}`,
    expected: ['t.lpnet:1:7: error LPC1220: block `b` has no `return`'],
  },
  {
    code: 'LPC1221',
    src: net('  output y = relu(x)\n  return y'),
    expected: ['t.lpnet:4:3: error LPC1221: `return` is only allowed as the last statement of a block'],
  },
  {
    code: 'LPC1222',
    src: net('  repeat -1 { x = relu(x) }\n  output y = relu(x)'),
    expected: ['t.lpnet:3:10: error LPC1222: a repeat count must be an int from 0 to 100000, got -1'],
  },
  { code: 'LPC1223', src: net('  output y = relu(x)'), opts: { net: 'M' }, expected: ['error LPC1223: no net `M` in t.lpnet'] },
  {
    code: 'LPC1224',
    src: net('  output y = relu(x)', 'net N(batch: int = 1)'),
    opts: { params: { bach: 2 } },
    expected: ['error LPC1224: net `N` has no parameter `bach`'],
  },
  {
    code: 'LPC1225',
    src: `block b(x, n: int) { return relu(x) }\n${net('  output y = b(x, n: 2.5)')}`,
    expected: ['t.lpnet:4:22: error LPC1225: parameter `n` is an int, got the float 2.5'],
  },
  {
    code: 'LPC1226',
    src: `${net('  output y = relu(x)', 'net M')}\n${net('  output y = M(x)')}`,
    expected: ['t.lpnet:7:14: error LPC1226: `M` is a net; only ops and blocks can be called'],
  },
  {
    code: 'LPC1227',
    src: `block relu(x) { return x }\n${net('  output y = relu(x)')}`,
    expected: ['t.lpnet:1:7: error LPC1227: block `relu` has the name of an op'],
  },
  {
    code: 'LPC1228',
    src: 'net N(x) {\n  input y: f32[1, 4]\n  output z = relu(y)\n}',
    expected: ['t.lpnet:1:7: error LPC1228: net parameter `x` needs a kind'],
  },
  {
    code: 'LPC1229',
    src: net('  output y = dense(x, units: 2, bias_term: false, bias: fixed<2, 6>)'),
    expected: ['t.lpnet:3:57: warning LPC1229: `bias:` has no effect: this `dense` has no bias parameter'],
  },
  { code: 'LPC1230', src: net('  y = relu(x)'), expected: ['t.lpnet:1:5: warning LPC1230: net `N` has no `output` or `loss`'] },
  {
    code: 'LPC1231',
    src: net('  repeat 100 { repeat 100 { x = relu(x) } }\n  output y = relu(x)'),
    opts: { maxNodes: 500 },
    expected: ['t.lpnet:1:5: error LPC1231: net `N` expands to more than 500 nodes'],
  },
  {
    code: 'LPC1299',
    src: net('  output y = broken(x)'),
    opts: { ops: testOps },
    expected: ['t.lpnet:3:14: error LPC1299: internal error: the shape rule of op `broken` failed: attribute "k" is required but missing'],
  },

  // ---- number types (LPC13xx)
  { code: 'LPC1300', src: net('  output y = relu(x) -> W9'), expected: ['t.lpnet:3:25: error LPC1300: unknown type `W9`'] },
  {
    code: 'LPC1301',
    src: net('  output y = relu(x) -> fixed<0, 6>'),
    expected: ['t.lpnet:3:25: error LPC1301: fixed<0, 6> is not a legal type: integer bits I must be at least 1 (the sign bit), got 0'],
  },
  {
    code: 'LPC1302',
    src: net('  output y = relu(x) -> fixed<2, 6, rounding: floor>'),
    expected: ['t.lpnet:3:37: error LPC1302: unknown option `rounding` in `fixed<...>`'],
  },
  {
    code: 'LPC1303',
    src: net('  output y = relu(x) -> fixed<2, 6, round: flor>'),
    expected: ['t.lpnet:3:44: error LPC1303: `flor` is not a rounding mode'],
  },
  {
    code: 'LPC1304',
    src: net('  output y = relu(x) -> fixed<2, 6, round: floor, round: even>'),
    expected: ['t.lpnet:3:51: error LPC1304: option `round` is given twice in `fixed<...>`'],
  },
  {
    code: 'LPC1305',
    src: `type A = B\ntype B = A\n${net('  output y = relu(x)')}`,
    expected: ['t.lpnet:1:6: error LPC1305: type alias `A` refers to itself: A -> B -> A'],
  },
  {
    code: 'LPC1306',
    src: net('  output y = dense(x, units: 2, weights: 3)'),
    expected: ['t.lpnet:3:42: error LPC1306: `weights:` of `dense` needs a number type, got the int 3'],
  },
  { code: 'LPC1307', src: net('  output y = relu(x) -> i32'), expected: ['t.lpnet:3:25: error LPC1307: an output type cannot be i32'] },
  {
    code: 'LPC1308',
    src: net('  input l: i32[1]\n  loss y = softmax_cross_entropy(x, l) -> fixed<4, 4>'),
    expected: ['t.lpnet:4:43: error LPC1308: `softmax_cross_entropy` computes a loss or metric in f32; it cannot have the output type fixed<4, 4>'],
  },
  {
    code: 'LPC1309',
    src: net('  output y = x -> fixed<4, 4>'),
    expected: ['t.lpnet:3:19: error LPC1309: `-> T` needs an op or block call to apply to'],
  },

  // ---- shapes (LPC14xx)
  {
    code: 'LPC1400',
    src: 'net N {\n  input x: f32[1, 2, 3]\n  output y = matrix_only(x)\n}',
    opts: { ops: testOps },
    expected: ['t.lpnet:3:26: error LPC1400: matrix_only needs a rank-2 input, got rank 3'],
  },
  {
    code: 'LPC1401',
    src: 'net N {\n  input x: f32[1, 0]\n  output y = relu(x)\n}',
    expected: ['t.lpnet:2:19: error LPC1401: dimension 1 of input `x` must be a positive integer, got 0'],
  },
  {
    code: 'LPC1402',
    src: net('  loss y = relu(x)'),
    expected: ['t.lpnet:3:3: error LPC1402: a loss must be a scalar, but `y` has shape [1, 4]'],
  },

  // ---- train section (LPC15xx)
  { code: 'LPC1500', src: train('optimizer sgd(lr: 0.1)', 'M'), expected: ['t.lpnet:5:7: error LPC1500: no net `M` in this file to train'] },
  {
    code: 'LPC1501',
    src: train('optimizer sgd(lr: 0.1); epoch 3'),
    expected: ['t.lpnet:5:35: error LPC1501: unknown train setting `epoch`'],
  },
  {
    code: 'LPC1502',
    src: train('optimizer sgd(lr: 0.1); batch 3; batch 4'),
    expected: ['t.lpnet:5:44: error LPC1502: `batch` is set twice in the train section'],
  },
  { code: 'LPC1503', src: train('optimizer sdg(lr: 0.1)'), expected: ['t.lpnet:5:21: error LPC1503: unknown optimizer `sdg`'] },
  {
    code: 'LPC1504',
    src: train('optimizer sgd(lr: 0.1); schedule stpe(gamma: 0.1)'),
    expected: ['t.lpnet:5:44: error LPC1504: unknown schedule `stpe`'],
  },
  {
    code: 'LPC1505',
    src: train('optimizer sgd(lr: 0.1, momentun: 0.9)'),
    expected: ['t.lpnet:5:34: error LPC1505: `sgd` has no argument `momentun`'],
  },
  {
    code: 'LPC1506',
    src: train('optimizer sgd(lr: 0.1); schedule step(gamma: 0.1)'),
    expected: ['t.lpnet:5:44: error LPC1506: `step` needs the argument `stepsize`'],
  },
  {
    code: 'LPC1507',
    src: train('optimizer sgd(lr: 0.1); batch 0'),
    expected: ['t.lpnet:5:41: error LPC1507: `batch` must be an int >= 1, got 0'],
  },
  { code: 'LPC1508', src: train('batch 2'), expected: ['t.lpnet:5:7: error LPC1508: the train section of `N` has no optimizer'] },
  {
    code: 'LPC1509',
    src: train('optimizer 5'),
    expected: ['t.lpnet:5:21: error LPC1509: `optimizer` must be written as a call such as `sgd(lr: 0.01)`'],
  },
  { code: 'LPC1510', src: train('optimizer sgd(0.1)'), expected: ['t.lpnet:5:25: error LPC1510: arguments of `sgd` must be named'] },
];

describe('every checker diagnostic code', () => {
  it.each(cases)('$code', ({ code, src, expected, opts }) => {
    const lines = linesOf(src, opts);
    expect(lines).toEqual(expected);
    expect(lines.some((l) => l.includes(` ${code}: `))).toBe(true);
  });

  it('has a case for every code in LOWER_CODES, and each code is documented', () => {
    const covered = new Set(cases.map((c) => c.code));
    for (const [code, doc] of Object.entries(LOWER_CODES)) {
      expect(covered, `no test triggers ${code}`).toContain(code);
      expect(code).toMatch(/^LPC1[2-5]\d\d$/);
      expect(doc.summary.length).toBeGreaterThan(10);
      expect(doc.fix, `${code} has no fix`).toBeTruthy();
    }
    for (const c of covered) expect(LOWER_CODES, `${c} is tested but not declared`).toHaveProperty(c);
  });
});
