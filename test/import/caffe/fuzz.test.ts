import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/diag/diagnostic.js';
import { loadCaffemodelWeights } from '../../../src/import/caffe/caffe-weights.js';
import { concatChunks, encodeCaffemodel } from '../../../src/import/caffe/caffemodel-writer.js';
import { importCaffeNet } from '../../../src/import/caffe/import-caffe.js';
import { haveShared, netWith, sharedFile, SHARED_PROTOTXTS } from './helpers.js';

/** Small deterministic generator so a failure names a reproducible iteration. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s % n;
  };
}

const TOKENS = ['{', '}', '<', '>', '[', ']', ':', ',', ';', '"', "'", '\\', '#', '-', '0x', '1e999', '-1', '0', '4294967296', 'nan', 'inf', 'layer', 'top', 'bottom', 'type: "Concat"', 'LPAct', '\n', 'phase: TRAIN', 'include {', 'lpfp_param { bd: 40 }', 'kernel_size: 0', 'num_output: 0', 'stride: 0', 'group: 7', 'pool: AVE', 'é', '\u0000'];

function mutate(text: string, pick: (n: number) => number): string {
  let t = text;
  const edits = 1 + pick(3);
  for (let e = 0; e < edits; e++) {
    const at = pick(t.length + 1);
    switch (pick(6)) {
      case 0: // delete a range
        t = t.slice(0, at) + t.slice(at + 1 + pick(40));
        break;
      case 1: // insert a token
        t = `${t.slice(0, at)}${TOKENS[pick(TOKENS.length)]}${t.slice(at)}`;
        break;
      case 2: {
        // replace a number
        const nums = [...t.matchAll(/-?\d+(\.\d+)?/g)];
        if (nums.length === 0) break;
        const m = nums[pick(nums.length)];
        const repl = ['0', '-3', '1000000', '2.5', '99999999999', '1'][pick(6)];
        t = t.slice(0, m.index) + repl + t.slice(m.index! + m[0].length);
        break;
      }
      case 3: {
        // duplicate or drop a line
        const lines = t.split('\n');
        const i = pick(lines.length);
        if (pick(2) === 0) lines.splice(i, 0, lines[pick(lines.length)]);
        else lines.splice(i, 1);
        t = lines.join('\n');
        break;
      }
      case 4: {
        // swap two quoted names (rewires bottoms and tops)
        const names = [...t.matchAll(/"[^"\n]*"/g)];
        if (names.length < 2) break;
        const a = names[pick(names.length)];
        t = t.slice(0, a.index) + names[pick(names.length)][0] + t.slice(a.index! + a[0].length);
        break;
      }
      default: // truncate
        t = t.slice(0, at);
    }
  }
  return t;
}

const OWN_CORPUS = [
  netWith(`layer { name: "c" type: "LPConvolution" bottom: "data" top: "c" lpfp_param { bd: 2 ad: 6 } convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
layer { name: "a" type: "LPAct" bottom: "c" top: "a" lpfp_param { bd: 4 ad: 4 rounding_scheme: STOCHASTIC } }
layer { name: "s" type: "Split" bottom: "a" top: "s1" top: "s2" }
layer { name: "e" type: "Eltwise" bottom: "s1" bottom: "s2" top: "e" }
layer { name: "p" type: "Pooling" bottom: "e" top: "p" pooling_param { pool: AVE global_pooling: true } }
layer { name: "f" type: "Flatten" bottom: "p" top: "f" }
layer { name: "b" type: "BatchNorm" bottom: "c" top: "b" }
layer { name: "sc" type: "Scale" bottom: "b" top: "b" scale_param { bias_term: true } }
layer { name: "k" type: "Concat" bottom: "b" bottom: "c" top: "k" }`),
  `name: "V1" input: "data" input_dim: 1 input_dim: 1 input_dim: 8 input_dim: 8
layers { name: "c" type: CONVOLUTION bottom: "data" top: "c" blobs_lr: 1 blobs_lr: 2 convolution_param { num_output: 2 kernel_size: 3 } }
layers { name: "r" type: RELU bottom: "c" top: "c" }
layers { name: "ip" type: INNER_PRODUCT bottom: "c" top: "ip" inner_product_param { num_output: 2 } }`,
];

describe('fuzzing the importer (10,000 mutated inputs)', () => {
  it('mutated prototxts and caffemodels never throw and never hang', () => {
    const corpus = [...OWN_CORPUS, ...(haveShared ? SHARED_PROTOTXTS.filter((f) => !f.includes('VGG16')).map(sharedFile) : [])];
    const pick = rng(20240611);
    const started = Date.now();
    let withErrors = 0;
    for (let i = 0; i < 7000; i++) {
      const text = mutate(corpus[i % corpus.length], pick);
      let r;
      try {
        r = importCaffeNet(text, 'fuzz.prototxt');
      } catch (e) {
        throw new Error(`iteration ${i} threw: ${String(e)}\n--- input ---\n${text}`);
      }
      if (!r.ok) withErrors++;
      const internal = r.diagnostics.find((d) => d.message.startsWith('internal error'));
      if (internal) throw new Error(`iteration ${i}: ${internal.message}\n--- input ---\n${text}`);
    }
    expect(withErrors).toBeGreaterThan(1000);

    const base = importCaffeNet(OWN_CORPUS[1], 'v1.prototxt');
    const model = concatChunks(
      encodeCaffemodel('V1', [
        { fields: { name: 'c', type: 'Convolution' }, blobs: [{ shape: [2, 1, 3, 3], data: new Float32Array(18).fill(0.5) }, { shape: [2], data: new Float32Array(2) }] },
        { fields: { name: 'ip', type: 'InnerProduct' }, blobs: [{ shape: [2, 72], data: new Float32Array(144) }, { shape: [2], data: new Float32Array(2) }] },
      ]),
    );
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from(model);
      const op = pick(3);
      let mutated: Uint8Array = bytes;
      if (op === 0) for (let k = 0; k < 1 + pick(4); k++) bytes[pick(bytes.length)] = pick(256);
      else if (op === 1) mutated = bytes.subarray(0, pick(bytes.length));
      else {
        const at = pick(bytes.length);
        mutated = Uint8Array.from([...bytes.subarray(0, at), ...Array.from({ length: 1 + pick(8) }, () => pick(256)), ...bytes.subarray(at)]);
      }
      const diags: Diagnostic[] = [];
      try {
        loadCaffemodelWeights(mutated, 'fuzz.caffemodel', base.net!, base.graph!, diags);
      } catch (e) {
        throw new Error(`caffemodel iteration ${i} threw: ${String(e)}`);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    // about 11 s on the development machine; the bound only catches a hang or a pathological slowdown
    expect(seconds).toBeLessThan(30);
  }, 60_000);
});
