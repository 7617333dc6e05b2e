/**
 * The explain data of the real examples against counts made by hand, independently of the ops'
 * shape and MAC rules: parameter totals of LeNet, AlexNet (grouped convolutions) and VGG16, and
 * LeNet's multiply-accumulates per image layer by layer.
 */
import { describe, expect, it } from 'vitest';
import { explainGraph, type ExplainRow } from '../../src/passes/explain.js';
import { planExampleNet } from '../helpers/examples.js';

/** conv parameters: weights (cout, cin/group, k, k) and one bias per output channel. */
const convParams = (cin: number, cout: number, k: number, group = 1) => cout * (cin / group) * k * k + cout;
/** inner product parameters: weights (out, in) and a bias per output. */
const denseParams = (inputs: number, outputs: number) => inputs * outputs + outputs;

function row(rows: ExplainRow[], layer: string): ExplainRow {
  const r = rows.find((x) => x.layer === layer);
  if (!r) throw new Error(`no layer '${layer}' in [${rows.map((x) => x.layer).join(', ')}]`);
  return r;
}

describe('explain on the examples', () => {
  it('LeNet: 431,080 parameters, and per-image MACs equal to the hand count, layer by layer', () => {
    const e = explainGraph(planExampleNet('lenet.lpnet', 'LeNet').graph);
    const batch = 64;
    expect(e.batch).toBe(batch);

    // The net's actual shapes: 28x28 -> conv 5x5 -> 24x24 -> pool 2 -> 12x12 -> conv 5x5 -> 8x8 -> pool 2 -> 4x4.
    const conv1 = row(e.rows, 'logits/c1');
    const conv2 = row(e.rows, 'logits/c2');
    const ip1 = row(e.rows, 'logits/f1.dense');
    const ip2 = row(e.rows, 'logits');
    expect(conv1.inputs[0].shape).toEqual([batch, 1, 28, 28]);
    expect(conv1.output.shape).toEqual([batch, 20, 24, 24]);
    expect(conv2.inputs[0].shape).toEqual([batch, 20, 12, 12]);
    expect(conv2.output.shape).toEqual([batch, 50, 8, 8]);
    expect(ip1.inputs[0].shape).toEqual([batch, 50, 4, 4]); // 800 inputs
    expect(ip1.output.shape).toEqual([batch, 500]);
    expect(ip2.inputs[0].shape).toEqual([batch, 500]);
    expect(ip2.output.shape).toEqual([batch, 10]);

    // MACs per image: output elements times fan-in
    const hand = {
      conv1: 20 * 24 * 24 * (1 * 5 * 5), //    288,000
      conv2: 50 * 8 * 8 * (20 * 5 * 5), //   1,600,000
      ip1: 800 * 500, //                       400,000
      ip2: 500 * 10, //                          5,000
    };
    expect(conv1.macs / batch).toBe(hand.conv1);
    expect(conv2.macs / batch).toBe(hand.conv2);
    expect(ip1.macs / batch).toBe(hand.ip1);
    expect(ip2.macs / batch).toBe(hand.ip2);
    const perImage = hand.conv1 + hand.conv2 + hand.ip1 + hand.ip2;
    expect(perImage).toBe(2_293_000);
    // pooling, tanh, softmax, accuracy and the loss count no MACs, so the total is the four layers
    expect(e.totals.macsPerItem).toBe(perImage);
    expect(e.totals.macs).toBe(perImage * batch);
    // and at batch 1 the same count comes out directly
    const one = explainGraph(planExampleNet('lenet.lpnet', 'LeNet', 'inference', { batch: '1' }).graph);
    expect(one.totals.macs).toBe(perImage);

    const params = convParams(1, 20, 5) + convParams(20, 50, 5) + denseParams(800, 500) + denseParams(500, 10);
    expect(params).toBe(431_080);
    expect(e.totals.params).toBe(431_080);
    expect([conv1.params, conv2.params, ip1.params, ip2.params]).toEqual([520, 25_050, 400_500, 5_010]);
  });

  it('LeNet8 and LeNetF32 have the same 431,080 parameters', () => {
    for (const net of ['LeNet8', 'LeNetF32']) expect(explainGraph(planExampleNet('lenet.lpnet', net).graph).totals.params, net).toBe(431_080);
  });

  it('AlexNet (with groups): 60,965,224 parameters', () => {
    const e = explainGraph(planExampleNet('alexnet.lpnet', 'AlexNet').graph);
    const hand =
      convParams(3, 96, 11) +
      convParams(96, 256, 5, 2) +
      convParams(256, 384, 3) +
      convParams(384, 384, 3, 2) +
      convParams(384, 256, 3, 2) +
      denseParams(256 * 6 * 6, 4096) +
      denseParams(4096, 4096) +
      denseParams(4096, 1000);
    expect(hand).toBe(60_965_224);
    expect(e.totals.params).toBe(60_965_224);
  });

  it('VGG16: 138,357,544 parameters and 15,470,264,320 MACs per 224x224 image', () => {
    const e = explainGraph(planExampleNet('vgg16.lpnet', 'VGG16').graph);
    // (input channels, output channels, output side) of the 13 3x3 convolutions
    const convs: [number, number, number][] = [
      [3, 64, 224], [64, 64, 224],
      [64, 128, 112], [128, 128, 112],
      [128, 256, 56], [256, 256, 56], [256, 256, 56],
      [256, 512, 28], [512, 512, 28], [512, 512, 28],
      [512, 512, 14], [512, 512, 14], [512, 512, 14],
    ];
    const fcs: [number, number][] = [[512 * 7 * 7, 4096], [4096, 4096], [4096, 1000]];
    const params = convs.reduce((a, [i, o]) => a + convParams(i, o, 3), 0) + fcs.reduce((a, [i, o]) => a + denseParams(i, o), 0);
    const macs = convs.reduce((a, [i, o, s]) => a + o * s * s * i * 9, 0) + fcs.reduce((a, [i, o]) => a + i * o, 0);
    expect(params).toBe(138_357_544);
    expect(e.totals.params).toBe(138_357_544);
    expect(e.batch).toBe(1);
    expect(e.totals.macsPerItem).toBe(macs);
    expect(macs).toBe(15_470_264_320);
  });
});
