import { describe, expect, it } from 'vitest';
import { parameterCount } from '../../../src/import/caffe/build-graph.js';
import { importCaffe } from '../../../src/import/caffe/import-caffe.js';
import { lowerSource } from '../../../src/lower/front-end.js';
import { fixed } from '../../../src/numeric/number-type.js';
import { errors, haveShared, lines, sharedFile, SHARED_PROTOTXTS, withoutSpans } from './helpers.js';

describe.skipIf(!haveShared)('the shared Caffe nets', () => {
  for (const file of SHARED_PROTOTXTS) {
    it(`${file}: imports, and the written .lpnet checks and lowers to the same IR`, async () => {
      const r = await importCaffe({ text: sharedFile(file), file }, undefined);
      expect(lines(errors(r.diagnostics))).toEqual([]);
      expect(r.lpnet).toBeDefined();
      const lowered = lowerSource(r.lpnet!, `${r.graph!.name}.lpnet`);
      expect(lines(lowered.diagnostics)).toEqual([]);
      expect(lowered.graphs).toHaveLength(1);
      expect(withoutSpans(lowered.graphs[0])).toEqual(withoutSpans(r.graph));
    });
  }

  it('parameter counts: LeNet 431,080, AlexNet 60,965,224, CIFAR-10 quick 145,578', async () => {
    const count = async (file: string) => parameterCount((await importCaffe({ text: sharedFile(file), file }, undefined)).graph!);
    expect(await count('bvlc_mnist_lenet_train_test.prototxt')).toBe(431_080);
    expect(await count('adaption_LP_LeNet_mnist_lp_train_test.prototxt')).toBe(431_080);
    expect(await count('bvlc_alexnet_deploy.prototxt')).toBe(60_965_224);
    expect(await count('bvlc_cifar10_quick_train_test.prototxt')).toBe(145_578);
  });

  it('LP VGG16 keeps every layer\'s bd/ad: weights from LPConvolution/LPInnerProduct, outputs from LPAct', async () => {
    const text = sharedFile('adaption_LP_VGG16_16_bit_deploy.prototxt');
    const r = await importCaffe({ text, file: 'vgg.prototxt' }, undefined);
    // Every lpfp_param of the file, in order, with the layer it belongs to.
    const expected = text
      .split(/^layer\s*\{/m)
      .map((block) => /name: "([^"]+)"[\s\S]*?type: "(LP\w+)"[\s\S]*?lpfp_param \{\s*bd: (\d+)\s*ad: (\d+)/.exec(block))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ layer: m[1], type: m[2], type_: fixed(Number(m[3]), Number(m[4])) }));
    expect(expected.length).toBe(31); // 16 weight layers + 15 LPAct layers (the logits stay f32)
    const g = r.graph!;
    for (const e of expected) {
      const id = r.net!.layerToNode.get(e.layer)!;
      const node = g.nodes.find((n) => n.id === id)!;
      if (e.type === 'LPAct') expect(node.types.output, e.layer).toEqual(e.type_);
      else expect(node.types.weights, e.layer).toEqual(e.type_);
    }
    expect(g.nodes.filter((n) => n.op === 'quantize')).toHaveLength(0);
  });

  it('LP LeNet: LPAct folded into the layer before it, deterministic rounding', async () => {
    const r = await importCaffe({ text: sharedFile('adaption_LP_LeNet_mnist_lp_train_test.prototxt'), file: 'lp.prototxt' }, undefined);
    const conv1 = r.graph!.nodes.find((n) => n.id === 'conv1')!;
    expect(conv1.types).toEqual({ weights: fixed(2, 2), output: fixed(2, 2) });
    expect(r.lpnet).toContain('type Q2_2 = fixed<2, 2>');
    expect(r.lpnet).toContain('# Imported by `lpc import` from lp.prototxt');
    expect(r.lpnet).toMatch(/input data: f32\[100, 1, 28, 28\]/);
    expect(r.lpnet).toMatch(/loss loss_ = softmax_cross_entropy\(ip2, label\)/);
  });

  it('the TRAIN phase of LeNet uses the training data layer', async () => {
    const r = await importCaffe({ text: sharedFile('bvlc_mnist_lenet_train_test.prototxt'), file: 'l.prototxt' }, undefined, { phase: 'TRAIN' });
    expect(r.net!.inputs[0].shape).toEqual([64, 1, 28, 28]);
    expect(r.graph!.outputs).toEqual([]);
  });
});
