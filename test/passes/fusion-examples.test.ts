/**
 * Fusion on the real examples: every conv/dense + bias + relu + output quantize chain becomes one
 * node, and so does a pool or residual add with the activation and quantizer after it. Checked
 * two ways: structurally (after the pipeline, no relu, tanh or quantize node is the only reader of
 * another node's output, and no quantize node rounds a parameter), and by the node counts before
 * and after fusion, worked out by hand per net below.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { consumersOf, externalValues } from '../../src/ir/graph-util.js';
import { runPipeline, type CompileMode } from '../../src/passes/pipeline.js';
import { opOf } from '../../src/passes/op-info.js';
import { exampleFiles, lowerExample, lowerExampleNet, planExampleNet } from '../helpers/examples.js';

interface Expected {
  file: string;
  net: string;
  /** Nodes as lowered. */
  lowered: number;
  /** Nodes entering fusion in the inference pipeline (after folding, quantize insertion, dropout removal). */
  before: number;
  after: number;
  /** Anchors that absorbed a relu and/or an output quantize, at inference. */
  chains: number;
  /**
   * The same when compiled for training; absent for the deploy nets without a loss (AlexNet,
   * VGG16), which cannot be compiled for training.
   */
  trainingChains?: number;
}

// Counts by hand, inference. Every node but a loss or metric may start an epilogue chain
// (src/passes/fusion.ts), so pools and residual adds absorb the relu/quantize after them too.
//  LeNet/LeNet8: 12 lowered; +4 weight quantizers, +3 output quantizers (c1, c2, f1) = 19;
//    fusion absorbs the 4 weight quantizers, c1's and c2's quantize, f1's relu+quantize (-8),
//    and each max_pool the tanh after it (-2): 19 - 10 = 9.
//  LeNetF32: no fixed types, so no quantizers; f1.dense absorbs its relu, each max_pool its tanh: 12 -> 9.
//  Cifar10Quick: 14; +5 weights, +6 outputs (r1, c2, p2, c3, p3, f1) = 25; -5 weights, c2 and c3
//    relu+quantize (-4), f1 quantize (-1), r1's max_pool its relu+quantize (-2), the avg_pools
//    p2 and p3 their quantize (-2) = 11.
//  AlexNet: 23; +8 weights, +7 outputs = 38; -2 dropouts = 36; -8 weights, -7 * 2 = 14 (its LRNs
//    and pools are followed by pools, convs or nothing fusible).
//  VGG16: 39; +16 weights, +15 outputs = 70; -2 dropouts = 68; -16 weights, -15 * 2 = 22.
//  ResNetCifar: 69; folding 15 conv+batch_norm+scale triples = 39; +16 weights, +13 outputs = 68;
//    -16 weights, 7 convs absorb relu+quantize (-14), the 6 residual adds their relu+quantize
//    (-12) = 26.
// Training: the same chains, except ResNetCifar, whose convs are followed by batch_norm (folded
// only for inference): there the scale after each batch_norm absorbs the relu+quantize (7), and
// the residual adds theirs (6).
const EXPECTED: Expected[] = [
  { file: 'alexnet.lpnet', net: 'AlexNet', lowered: 23, before: 36, after: 14, chains: 7 },
  { file: 'cifar10_quick.lpnet', net: 'Cifar10Quick', lowered: 14, before: 25, after: 11, chains: 6, trainingChains: 6 },
  { file: 'lenet.lpnet', net: 'LeNet', lowered: 12, before: 19, after: 9, chains: 5, trainingChains: 5 },
  { file: 'lenet.lpnet', net: 'LeNet8', lowered: 12, before: 19, after: 9, chains: 5, trainingChains: 5 },
  { file: 'lenet.lpnet', net: 'LeNetF32', lowered: 12, before: 12, after: 9, chains: 3, trainingChains: 3 },
  { file: 'resnet_cifar.lpnet', net: 'ResNetCifar', lowered: 69, before: 68, after: 26, chains: 13, trainingChains: 13 },
  { file: 'vgg16.lpnet', net: 'VGG16', lowered: 39, before: 68, after: 22, chains: 15 },
];

const CHAIN_OPS = new Set(['relu', 'tanh', 'quantize']);

/** Nodes that read another node's output as its only reader and are relu, tanh or quantize: what fusion should have absorbed. */
function unfusedChainLinks(g: Graph): string[] {
  const consumers = consumersOf(g);
  const external = externalValues(g);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const left: string[] = [];
  for (const n of g.nodes) {
    if (opOf(n)?.isLoss) continue;
    const out = n.outputs[0];
    const readers = consumers.get(out) ?? [];
    if (readers.length !== 1 || external.has(out)) continue;
    const next = byId.get(readers[0])!;
    if (CHAIN_OPS.has(next.op)) left.push(`${n.id} -> ${next.id} (${next.op})`);
  }
  return left;
}

/** Quantize nodes that round a parameter (or a copy of one) instead of being folded into the node using it. */
function standaloneParamQuantizers(g: Graph): string[] {
  return g.nodes
    .filter((n) => n.op === 'quantize')
    .filter((n) => {
      const v = g.values.get(n.inputs[0]);
      return v?.role === 'param' || v?.derivedFrom !== undefined;
    })
    .map((n) => n.id);
}

describe('fusion on the examples', () => {
  it('lists every net of every example', () => {
    const nets = exampleFiles().flatMap((f) => lowerExample(f).map((g) => `${f}:${g.name}`));
    expect(nets).toEqual(EXPECTED.map((x) => `${x.file}:${x.net}`));
  });

  it('the checks find the chains when fusion has not run (VGG16 stopped before fusion)', () => {
    const r = runPipeline(lowerExampleNet('vgg16.lpnet', 'VGG16'), { mode: 'inference', stopAfter: 'accumulator' });
    expect(r.passes).not.toContain('fusion');
    const links = unfusedChainLinks(r.graph);
    // 13 convs and fc6, fc7, each followed by its relu, and that relu by its output quantizer
    expect(links).toHaveLength(30);
    expect(links.slice(0, 2)).toEqual(['c1_1.conv -> c1_1 (relu)', 'c1_1 -> c1_1.q (quantize)']);
    expect(standaloneParamQuantizers(r.graph)).toHaveLength(16);
  });

  for (const x of EXPECTED) {
    const modes: [CompileMode, number][] = [['inference', x.chains]];
    if (x.trainingChains !== undefined) modes.push(['training', x.trainingChains]);
    for (const [mode, chains] of modes) {
      it(`${x.net} (${mode}): no relu, tanh or quantize left unfused after a node, no standalone parameter quantizer`, () => {
        const r = planExampleNet(x.file, x.net, mode);
        expect(unfusedChainLinks(r.graph)).toEqual([]);
        expect(standaloneParamQuantizers(r.graph)).toEqual([]);
        const anchorsWithChains = r.graph.nodes.filter((n) => n.epilogue?.some((e) => CHAIN_OPS.has(e.op)));
        expect(anchorsWithChains).toHaveLength(chains);
        // a fused node writes the chain's last value: the declared activation type, not its own op's
        for (const n of anchorsWithChains) {
          const last = n.epilogue![n.epilogue!.length - 1];
          expect(r.graph.values.get(n.outputs[0])!.type.dtype, n.id).toEqual(last.type);
        }
      });
    }

    it(`${x.net}: ${x.lowered} nodes lowered, ${x.before} -> ${x.after} nodes through fusion (inference)`, () => {
      const r = planExampleNet(x.file, x.net, 'inference');
      expect(lowerExample(x.file).find((g) => g.name === x.net)!.nodes).toHaveLength(x.lowered);
      expect(r.fusion.nodesBefore).toBe(x.before);
      expect(r.fusion.nodesAfter).toBe(x.after);
      expect(r.graph.nodes).toHaveLength(x.after);
    });
  }
});
