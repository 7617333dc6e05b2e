import type { Attrs } from '../../../../src/ir/graph.js';
import { F32, fixed, type NumberType } from '../../../../src/numeric/number-type.js';

/**
 * Pooling geometries for the max_pool and avg_pool kernel tests: odd sizes, non-square windows,
 * stride, padding, Caffe's ceil rule (with its padding clip) and floor mode, global pooling.
 */
export const GEOMETRIES: { name: string; shape: number[]; attrs: Attrs }[] = [
  { name: '3x3 stride 2 pad 1', shape: [2, 3, 7, 13], attrs: { kernel: [3, 3], stride: [2, 2], pad: [1, 1] } },
  { name: 'non-square 2x3, stride [2, 1], ceil rule leaves a clipped last window', shape: [1, 3, 13, 7], attrs: { kernel: [2, 3], stride: [2, 1] } },
  { name: 'same, floor mode', shape: [1, 3, 13, 7], attrs: { kernel: [2, 3], stride: [2, 1], ceil_mode: false } },
  { name: 'ceil rule with the padding clip', shape: [1, 2, 5, 5], attrs: { kernel: [2, 2], stride: [2, 2], pad: [1, 1] } },
  { name: 'global', shape: [2, 5, 7, 3], attrs: { global: true } },
  { name: '1x1 input', shape: [1, 1, 1, 1], attrs: { kernel: [1, 1] } },
  { name: 'wide row of 65', shape: [1, 2, 3, 65], attrs: { kernel: [1, 3], stride: [1, 2], pad: [0, 1] } },
];

export const POOL_TYPES: [string, NumberType][] = [
  ['f32', F32],
  ['fixed<3, 5> (8-bit)', fixed(3, 5)],
  ['fixed<4, 9, saturate> (16-bit)', fixed(4, 9, 'nearest', 'saturate')],
  ['fixed<12, 16> (32-bit)', fixed(12, 16)],
];
