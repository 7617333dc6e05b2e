import { describe, expect, it } from 'vitest';
import { concatChunks } from '../../../src/import/caffe/caffemodel-writer.js';
import { readCaffemodelLayers } from '../../../src/import/caffe/caffemodel-reader.js';
import { exportCaffe } from '../../../src/import/caffe/export.js';
import { importCaffe, importCaffeNet } from '../../../src/import/caffe/import-caffe.js';
import { escapePrototxtString } from '../../../src/import/caffe/prototxt-writer.js';
import { readPrototxt } from '../../../src/import/caffe/prototxt-reader.js';
import { lowerSource } from '../../../src/lower/front-end.js';
import { quantizeValue } from '../../../src/numeric/quantize.js';
import { fixed } from '../../../src/numeric/number-type.js';
import { errors, haveShared, lines, sharedFile, SHARED_PROTOTXTS, withoutSpans } from './helpers.js';

function randomWeights(graph: NonNullable<ReturnType<typeof importCaffeNet>['graph']>, seed: number) {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
  const w = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const id of graph.params) {
    const shape = graph.values.get(id)!.type.shape;
    w.set(id, { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next) });
  }
  return w;
}

describe.skipIf(!haveShared)('export to Caffe and import again', () => {
  for (const file of SHARED_PROTOTXTS) {
    it(`${file}: the exported prototxt imports to the same IR`, () => {
      const first = importCaffeNet(sharedFile(file), file);
      const out = exportCaffe(first.graph!);
      expect(lines(out.diagnostics)).toEqual([]);
      const again = importCaffeNet(out.prototxt, 'exported.prototxt');
      expect(lines(errors(again.diagnostics))).toEqual([]);
      expect(withoutSpans(again.graph)).toEqual(withoutSpans(first.graph));
    });
  }

  it('LP LeNet with weights: same IR and bit-identical f32 weights; LP layers carry [W, Q(W), b, Q(b)]', async () => {
    const first = importCaffeNet(sharedFile('adaption_LP_LeNet_mnist_lp_train_test.prototxt'), 'lp.prototxt');
    const weights = randomWeights(first.graph!, 5);
    const out = exportCaffe(first.graph!, weights);
    expect(out.ok).toBe(true);
    expect(out.prototxt).toContain('type: "LPConvolution"');
    expect(out.prototxt).toMatch(/type: "LPAct"\n\s+bottom: "conv1"\n\s+top: "conv1"/);
    expect(out.prototxt).toMatch(/lpfp_param \{\n\s+bd: 2\n\s+ad: 2\n\s+round_bias: false\n\s+rounding_scheme: DETERMINISTIC\n\s+\}/);
    const bytes = concatChunks(out.caffemodel!);
    const again = await importCaffe({ text: out.prototxt, file: 'out.prototxt' }, { bytes, file: 'out.caffemodel' });
    expect(lines(errors(again.diagnostics))).toEqual([]);
    expect(withoutSpans(again.graph)).toEqual(withoutSpans(first.graph));
    for (const [id, w] of weights) {
      const back = again.weights!.get(id)!;
      expect(new Uint32Array(back.data.buffer, back.data.byteOffset, back.data.length)).toEqual(new Uint32Array(w.data.buffer));
    }
    const conv1 = [...readCaffemodelLayers(bytes, 'out.caffemodel', [])].find((l) => l.name === 'conv1')!;
    expect(conv1.blobs).toHaveLength(4);
    const W = weights.get('conv1.weights')!.data;
    expect(conv1.blobs[1].data[0]).toBe(quantizeValue(W[0], fixed(2, 2)));
    expect(conv1.blobs[3].data).toEqual(conv1.blobs[2].data); // round_bias false: the bias copy is the bias
  });
});

describe('export rules', () => {
  it('types ADaPTION cannot express and ops without a layer are diagnostics', () => {
    const src = `net N {
  input x: f32[1, 2, 4, 4]
  c = conv(x, filters: 2, kernel: 1, weights: fixed<2, 6, round: even>)
  output s = softmax(c)
}`;
    const g = lowerSource(src, 'n.lpnet').graphs[0];
    const out = exportCaffe(g);
    expect(lines(out.diagnostics)).toEqual(['n.lpnet:3:7: error LPC4301: node `c` (conv): weights type: rounding mode even has no ADaPTION equivalent']);
    expect(out.ok).toBe(false);
  });

  it('prototxt strings are escaped so they read back unchanged', () => {
    const s = 'a"b\\c\nd\te\u0001é';
    const r = readPrototxt(`name: ${escapePrototxtString(s)}`, 'e.prototxt');
    expect(r.diagnostics).toEqual([]);
    expect(r.fields[0].value).toEqual({ kind: 'string', value: s });
  });
});
