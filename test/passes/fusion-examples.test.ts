/**
 * Fusion on the real examples: every conv/dense + bias + relu + output quantize chain becomes one
 * node. Checked two ways: structurally (after the pipeline, no relu or quantize node reads a
 * conv/dense output that has that one reader, and no quantize node rounds a parameter), and by the
 * node counts before and after fusion, worked out by hand per net below.
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

// Counts by hand, inference:
//  LeNet/LeNet8: 12 lowered; +4 weight quantizers, +3 output quantizers (c1, c2, f1) = 19;
//    fusion absorbs the 4 weight quantizers, c1's and c2's quantize, f1's relu+quantize: 19 - 8 = 11.
//  LeNetF32: no fixed types, so no quantizers; f1.dense absorbs its relu: 12 -> 11.
//  Cifar10Quick: 14; +5 weights, +6 outputs (r1, c2, p2, c3, p3, f1) = 25; -5 weights, c2 and c3
//    relu+quantize (-4), f1 quantize (-1) = 15. r1's relu+quantize follow a max_pool, not an anchor.
//  AlexNet: 23; +8 weights, +7 outputs = 38; -2 dropouts = 36; -8 weights, -7 * 2 = 14.
//  VGG16: 39; +16 weights, +15 outputs = 70; -2 dropouts = 68; -16 weights, -15 * 2 = 22.
//  ResNetCifar: 69; folding 15 conv+batch_norm+scale triples = 39; +16 weights, +13 outputs = 68;
//    -16 weights, 7 convs absorb relu+quantize (-14) = 38. The 6 relu+quantize after the residual
//    adds stay (add is not an anchor).
// Training: the same chains, except ResNetCifar, whose convs are followed by batch_norm (folded
// only for inference), so none of its convs has a relu or quantize right after it.
const EXPECTED: Expected[] = [
  { file: 'alexnet.lpnet', net: 'AlexNet', lowered: 23, before: 36, after: 14, chains: 7 },
  { file: 'cifar10_quick.lpnet', net: 'Cifar10Quick', lowered: 14, before: 25, after: 15, chains: 3, trainingChains: 3 },
  { file: 'lenet.lpnet', net: 'LeNet', lowered: 12, before: 19, after: 11, chains: 3, trainingChains: 3 },
  { file: 'lenet.lpnet', net: 'LeNet8', lowered: 12, before: 19, after: 11, chains: 3, trainingChains: 3 },
  { file: 'lenet.lpnet', net: 'LeNetF32', lowered: 12, before: 12, after: 11, chains: 1, trainingChains: 1 },
  { file: 'resnet_cifar.lpnet', net: 'ResNetCifar', lowered: 69, before: 68, after: 38, chains: 7, trainingChains: 0 },
  { file: 'vgg16.lpnet', net: 'VGG16', lowered: 39, before: 68, after: 22, chains: 15 },
];

const CHAIN_OPS = new Set(['relu', 'quantize']);

/** Nodes that read an anchor's output as its only reader and are relu or quantize: what fusion should have absorbed. */
function unfusedChainLinks(g: Graph): string[] {
  const consumers = consumersOf(g);
  const external = externalValues(g);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const left: string[] = [];
  for (const n of g.nodes) {
    if (opOf(n)?.fusion !== 'anchor') continue;
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
    expect(links).toHaveLength(15); // 13 convs and fc6, fc7, each followed by its relu
    expect(links[0]).toBe('c1_1.conv -> c1_1 (relu)');
    expect(standaloneParamQuantizers(r.graph)).toHaveLength(16);
  });

  for (const x of EXPECTED) {
    const modes: [CompileMode, number][] = [['inference', x.chains]];
    if (x.trainingChains !== undefined) modes.push(['training', x.trainingChains]);
    for (const [mode, chains] of modes) {
      it(`${x.net} (${mode}): no relu or quantize left after a conv/dense, no standalone parameter quantizer`, () => {
        const r = planExampleNet(x.file, x.net, mode);
        expect(unfusedChainLinks(r.graph)).toEqual([]);
        expect(standaloneParamQuantizers(r.graph)).toEqual([]);
        const anchorsWithChains = r.graph.nodes.filter((n) => opOf(n)?.fusion === 'anchor' && n.epilogue?.some((e) => CHAIN_OPS.has(e.op)));
        expect(anchorsWithChains).toHaveLength(chains);
        // a fused node writes the chain's last value: the declared activation type, not the accumulator's f32
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
