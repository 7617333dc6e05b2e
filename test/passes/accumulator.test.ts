import { describe, expect, it } from 'vitest';
import { renderOneLine } from '../../src/diag/render.js';
import type { DeclaredTypes } from '../../src/ir/graph.js';
import { F32, I32, fixed, type NumberType } from '../../src/numeric/number-type.js';
import { analyzeAccumulators, fanIn, widthNeeded } from '../../src/passes/accumulator.js';
import { PASS_CODES } from '../../src/passes/codes.js';
import { insertQuantizers } from '../../src/passes/quantize-insertion.js';
import { fuseGraph } from '../../src/passes/fusion.js';
import { GraphBuilder } from '../helpers/graph-builder.js';

const X8 = fixed(4, 4); // codes up to 127
const W8 = fixed(2, 6);

/** A dense layer of fan-in k on an input of type `x`. */
function denseNet(k: number, x: NumberType, types: DeclaredTypes) {
  const b = new GraphBuilder();
  b.input('x', [1, k], x);
  b.op('fc', 'dense', ['x'], { units: 1 }, types);
  return insertQuantizers(b.output('fc').build());
}

describe('accumulator analysis', () => {
  // 127 * 127 * K against 2^31 = 2147483648: K = 133144 gives 2147479576, K = 133145 gives 2147495705.
  it('picks i32 just below 2^31', () => {
    const { graph, diagnostics } = analyzeAccumulators(denseNet(133144, X8, { weights: W8, bias: F32 }));
    expect(diagnostics).toEqual([]);
    expect(graph.nodes.at(-1)!.accumulator).toMatchObject({ kind: 'i32', bound: 2147479576 });
  });

  it('falls back to f32 just above 2^31, and says why', () => {
    const { graph, diagnostics } = analyzeAccumulators(denseNet(133145, X8, { weights: W8 }));
    expect(diagnostics).toEqual([]);
    const acc = graph.nodes.at(-1)!.accumulator!;
    expect(acc).toMatchObject({ kind: 'f32', bound: 2147495705 });
    expect(acc.reason).toContain('2^31');
  });

  it('counts a fixed-point bias in the accumulator scale', () => {
    // scale 2^-(6+4) = 2^-10; bias fixed<4, 4> codes up to 127, i.e. 127 * 2^6 = 8128 accumulator units
    const { graph } = analyzeAccumulators(denseNet(10, X8, { weights: W8, bias: fixed(4, 4) }));
    expect(graph.nodes.at(-1)!.accumulator!.bound).toBe(127 * 127 * 10 + 8128);
    // a bias finer than the accumulator is added in f32 afterwards and does not count
    const fine = analyzeAccumulators(denseNet(10, X8, { weights: W8, bias: fixed(1, 15) })).graph.nodes.at(-1)!.accumulator!;
    expect(fine.bound).toBe(127 * 127 * 10);
    expect(fine.reason).toContain('added in f32');
  });

  it('uses the larger negative code of saturate types', () => {
    const { graph } = analyzeAccumulators(denseNet(3, fixed(4, 4, 'nearest', 'saturate'), { weights: W8 }));
    expect(graph.nodes.at(-1)!.accumulator!.bound).toBe(127 * 128 * 3);
  });

  it('forces f32 for an f32 input or f32 weights', () => {
    const a = analyzeAccumulators(denseNet(4, F32, { weights: W8 })).graph.nodes.at(-1)!.accumulator!;
    expect(a).toMatchObject({ kind: 'f32', bound: 0 });
    expect(a.reason).toContain('input is f32');
    const b = analyzeAccumulators(denseNet(4, X8, {})).graph.nodes.at(-1)!.accumulator!;
    expect(b.reason).toContain('weights are f32');
  });

  it('rejects a declared accumulator narrower than the bound, naming layer, bound and width', () => {
    const { diagnostics } = analyzeAccumulators(denseNet(100, X8, { weights: W8, acc: fixed(16, 0) }));
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0];
    expect(d.code).toBe(PASS_CODES.ACC_TOO_NARROW);
    expect(d.message).toContain("layer 'fc'");
    expect(d.message).toContain(String(127 * 127 * 100));
    expect(d.message).toContain(`needs ${widthNeeded(127 * 127 * 100)} bits`);
    expect(renderOneLine(d)).toMatch(/^test\.lpnet:2:3: error LPC2001: /);
    expect(d.hint).toContain('acc: i32');
  });

  it('rejects acc: i32 above 2^31 and accepts it below; acc: f32 always wins', () => {
    expect(analyzeAccumulators(denseNet(133145, X8, { weights: W8, acc: I32 })).diagnostics.map((d) => d.code)).toEqual([PASS_CODES.ACC_TOO_NARROW]);
    const ok = analyzeAccumulators(denseNet(133144, X8, { weights: W8, acc: I32 }));
    expect(ok.diagnostics).toEqual([]);
    expect(ok.graph.nodes.at(-1)!.accumulator!.kind).toBe('i32');
    expect(analyzeAccumulators(denseNet(10, X8, { weights: W8, acc: F32 })).graph.nodes.at(-1)!.accumulator!.kind).toBe('f32');
  });

  it('rejects an integer accumulator when the products are not integers', () => {
    const { diagnostics } = analyzeAccumulators(denseNet(4, F32, { weights: W8, acc: I32 }));
    expect(diagnostics.map((d) => d.code)).toEqual([PASS_CODES.ACC_INTEGER_NOT_EXACT]);
  });

  it('reads the fan-in of a grouped, strided conv, and works after fusion too', () => {
    const b = new GraphBuilder();
    b.input('x', [1, 4, 9, 9], X8);
    b.op('c', 'conv', ['x'], { filters: 6, kernel: [3, 3], stride: [2, 2], group: 2 }, { weights: W8 });
    const g = insertQuantizers(b.output('c').build());
    const conv = g.nodes.at(-1)!;
    expect(fanIn(g, conv)).toBe(2 * 3 * 3);
    const fused = fuseGraph(g).graph;
    expect(analyzeAccumulators(fused).graph.nodes[0].accumulator!.bound).toBe(127 * 127 * 18);
  });

  it('computes the width needed', () => {
    expect(widthNeeded(0)).toBe(1);
    expect(widthNeeded(1)).toBe(2);
    expect(widthNeeded(2 ** 31 - 1)).toBe(32);
    expect(widthNeeded(2 ** 31)).toBe(33);
  });
});
