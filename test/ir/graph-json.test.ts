/**
 * The Graph <-> JSON codec that compiled bundles embed: lossless for every example net, lowered
 * and planned (values, nodes with number-type attributes, epilogues, parameter quantizers,
 * transforms, the train section), spans dropped unless asked for, and foreign documents refused.
 */
import { describe, expect, it } from 'vitest';
import { decodeGraph, encodeGraph, graphJsonProblem } from '../../src/ir/graph-json.js';
import type { Graph } from '../../src/ir/graph.js';
import { runPipeline } from '../../src/passes/pipeline.js';
import { exampleFiles, lowerExample } from '../helpers/examples.js';

/** The graph as comparable data: spans removed (they are dropped by default), the Map as entries. */
function plain(g: Graph, spans: boolean): unknown {
  return JSON.parse(JSON.stringify({ ...g, values: [...g.values.entries()] }, (k, v) => (!spans && k === 'span' ? undefined : v)));
}

describe('graph JSON', () => {
  for (const file of exampleFiles()) {
    it(`round-trips the nets of ${file}, lowered and planned for inference and training`, () => {
      for (const lowered of lowerExample(file)) {
        const graphs = [lowered, runPipeline(lowered, { mode: 'inference' }).graph];
        if (lowered.losses.length > 0) graphs.push(runPipeline(lowered, { mode: 'training' }).graph);
        for (const g of graphs) {
          const json = encodeGraph(g);
          expect(graphJsonProblem(json)).toBeUndefined();
          expect(JSON.stringify(json)).not.toContain('"span"');
          const back = decodeGraph(JSON.parse(JSON.stringify(json)));
          expect(plain(back, false)).toEqual(plain(g, false));
          expect(plain(decodeGraph(encodeGraph(g, { spans: true })), true)).toEqual(plain(g, true));
        }
      }
    });
  }

  it('keeps number types inside attributes and epilogues as number types', () => {
    const g = runPipeline(lowerExample('lenet.lpnet').find((x) => x.name === 'LeNet8')!, { mode: 'inference' }).graph;
    const back = decodeGraph(encodeGraph(g));
    const fused = back.nodes.find((n) => (n.paramQuantizers ?? []).length > 0)!;
    expect(fused.paramQuantizers![0].type).toEqual({ kind: 'fixed', intBits: 2, fracBits: 6, round: 'nearest', overflow: 'saturate_symmetric' });
    expect(back.values.get(back.inputs[0])!.type.dtype).toEqual({ kind: 'f32' });
  });

  it('refuses documents that are not graphs of this version', () => {
    expect(graphJsonProblem(null)).toBe('it is not an object');
    expect(graphJsonProblem({ format: 'lpc-planned-graph' })).toMatch(/format is "lpc-planned-graph"/);
    expect(graphJsonProblem({ format: 'lpc-graph', version: 2 })).toMatch(/version 2/);
    expect(graphJsonProblem({ format: 'lpc-graph', version: 1, name: 'N', values: [], nodes: {}, inputs: [], params: [], outputs: [], losses: [] })).toMatch(/`nodes` is not a list/);
  });
});
