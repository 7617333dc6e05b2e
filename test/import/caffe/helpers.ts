import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../../src/diag/diagnostic.js';
import { renderOneLine } from '../../../src/diag/render.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The shared Caffe files: ../shared beside the repository (CI puts a copy there). */
export const sharedCaffeDir = path.resolve(repoRoot, '../shared/data/caffe');
export const haveShared = existsSync(sharedCaffeDir);
if (!haveShared) console.log(`[caffe tests] ${sharedCaffeDir} is absent: the tests on the shared Caffe files are skipped`);

export function sharedFile(name: string): string {
  return readFileSync(path.join(sharedCaffeDir, name), 'utf8');
}

export const SHARED_PROTOTXTS = [
  'bvlc_mnist_lenet_train_test.prototxt',
  'bvlc_cifar10_quick_train_test.prototxt',
  'bvlc_alexnet_deploy.prototxt',
  'adaption_LP_LeNet_mnist_lp_train_test.prototxt',
  'adaption_LP_VGG16_16_bit_deploy.prototxt',
];

export function lines(ds: Diagnostic[]): string[] {
  return ds.map(renderOneLine);
}

export function errors(ds: Diagnostic[]): Diagnostic[] {
  return ds.filter((d) => d.severity === 'error');
}

/** A deep copy without `span` fields, for comparing IR built from different sources. */
export function withoutSpans(x: unknown): unknown {
  if (x instanceof Map) return new Map([...x].map(([k, v]) => [k, withoutSpans(v)]));
  if (Array.isArray(x)) return x.map(withoutSpans);
  if (x && typeof x === 'object' && !ArrayBuffer.isView(x)) {
    return Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'span').map(([k, v]) => [k, withoutSpans(v)]));
  }
  return x;
}

/** A small V2 net with an Input layer of the given shape, then `body` (layers reading `data`). */
export function netWith(body: string, shape = [2, 3, 8, 8]): string {
  return `name: "T"\nlayer { name: "data" type: "Input" top: "data" input_param { shape { ${shape.map((d) => `dim: ${d}`).join(' ')} } } }\n${body}\n`;
}
