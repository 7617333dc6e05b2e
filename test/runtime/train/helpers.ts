import type { DataSplit, Dataset } from '../../../src/runtime/data/dataset.js';
import { rngUniform } from '../../../src/numeric/rng.js';
import { lowerSource } from '../../../src/lower/front-end.js';
import type { Graph } from '../../../src/ir/graph.js';

/** A split held in memory: `images` item after item, stored pixel values. */
export function memorySplit(images: Float32Array, labels: readonly number[], imageShape: number[]): DataSplit {
  const size = imageShape.reduce((a, b) => a * b, 1);
  return {
    count: labels.length,
    imageShape,
    readImage: (i, out, offset) => out.set(images.subarray(i * size, (i + 1) * size), offset),
    label: (i) => labels[i],
  };
}

/**
 * A separable task: `classes` classes of 1 x side x side u8-like images; class k lights up row
 * k % side (values near 200) over a dim noisy background (values below 60).
 */
export function separableItems(count: number, classes: number, side: number, seed: number): { images: Float32Array; labels: number[] } {
  const size = side * side;
  const images = new Float32Array(count * size);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    labels.push(k);
    for (let p = 0; p < size; p++) {
      const noise = Math.floor(rngUniform(seed, 7, i, p) * 60);
      images[i * size + p] = Math.floor(p / side) === k % side ? 200 + Math.floor(noise / 2) : noise;
    }
  }
  return { images, labels };
}

export function separableDataset(train: number, test: number, classes = 3, side = 4, seed = 5): Dataset {
  const a = separableItems(train, classes, side, seed);
  const b = separableItems(test, classes, side, seed + 1);
  return {
    name: 'separable',
    source: 'memory',
    pixelType: 'u8',
    train: memorySplit(a.images, a.labels, [1, side, side]),
    test: memorySplit(b.images, b.labels, [1, side, side]),
    classes,
  };
}

/** Lowers one net from source text; throws with the diagnostics when it does not lower. */
export function lowerNet(text: string, net?: string, params: Record<string, number> = {}): Graph {
  const r = lowerSource(text, 'test.lpnet', { net, params });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || r.graphs.length === 0) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join('\n') || 'no graph');
  return r.graphs[0];
}

export const TINY_NET = `
type W = fixed<2, 6>
net Tiny(batch: int = 6, classes: int = 3) {
  input image: f32[batch, 1, 4, 4]
  input label: i32[batch]
  h = relu(dense(image, units: 8, weights: W))
  logits = dense(h, units: classes)
  loss xent = softmax_cross_entropy(logits, label)
}
train Tiny {
  optimizer sgd(lr: 0.1, momentum: 0.9, weight_decay: 1e-4)
  schedule inv(gamma: 1e-3, power: 0.75)
  batch 6; epochs 2; seed 3
}
`;

/**
 * A net that uses every source of randomness and state a resumed run must reproduce: stochastic
 * rounding of weights and activations, dropout, batch-norm running statistics, Adam's moments.
 */
export const STATEFUL_NET = `
type W = fixed<2, 4, round: stochastic>
type A = fixed<4, 4, round: stochastic>
net Stateful(batch: int = 4, classes: int = 3) {
  input image: f32[batch, 1, 4, 4]
  input label: i32[batch]
  c = conv(image, filters: 3, kernel: 3, pad: 1, weights: W)
  b = relu(batch_norm(c)) -> A
  d = dropout(b, ratio: 0.25)
  logits = dense(d, units: classes, weights: W)
  loss xent = softmax_cross_entropy(logits, label)
}
train Stateful {
  optimizer adam(lr: 0.01, weight_decay: 1e-4, clip_gradients: 5)
  schedule step(gamma: 0.5, stepsize: 4)
  batch 4; epochs 2; seed 9
}
`;

/** All f32, and a rate so large that the second step's logits overflow f32 (|w| ~ 1e19 after one step). */
export const EXPLODING_NET = `
net Exploding(batch: int = 6, classes: int = 3) {
  input image: f32[batch, 1, 4, 4]
  input label: i32[batch]
  h = relu(dense(image, units: 8))
  logits = dense(h, units: classes)
  loss xent = softmax_cross_entropy(logits, label)
}
train Exploding { optimizer sgd(lr: 1e20); batch 6; epochs 3; seed 2 }
`;
