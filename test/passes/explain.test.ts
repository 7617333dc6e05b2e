import { describe, expect, it } from 'vitest';
import { I32, fixed } from '../../src/numeric/number-type.js';
import { explainGraph, renderExplain, renderFusion, renderMemory, renderTable } from '../../src/passes/explain.js';
import { runPipeline } from '../../src/passes/pipeline.js';
import { GraphBuilder } from '../helpers/graph-builder.js';

const W4 = fixed(2, 2);
const A8 = fixed(4, 4);

function planned() {
  const b = new GraphBuilder('E');
  b.input('x', [2, 3, 6, 6]);
  b.input('label', [2], I32);
  b.op('q', 'quantize', ['x'], { to: A8 });
  b.op('c.conv', 'conv', ['q'], { filters: 5, kernel: [3, 3] }, { weights: W4 });
  b.op('c', 'relu', ['c.conv'], {}, { output: A8 });
  b.op('fc', 'dense', ['c'], { units: 3, bias_term: false });
  b.op('xent', 'softmax_cross_entropy', ['fc', 'label']);
  return runPipeline(b.loss('xent').build(), { mode: 'inference' });
}

describe('explain', () => {
  it('describes each layer: types, accumulator, fused ops, parameters, bytes and MACs', () => {
    const e = explainGraph(planned().graph);
    expect(e.rows.map((r) => r.layer)).toEqual(['q', 'c.conv', 'fc', 'xent']);
    const conv = e.rows[1];
    expect(conv.op).toBe('conv');
    expect(conv.fused).toEqual(['bias', 'relu', 'quantize']);
    expect(conv.inputs).toEqual([{ dtype: A8, shape: [2, 3, 6, 6] }]);
    expect(conv.output).toEqual({ dtype: A8, shape: [2, 5, 4, 4] });
    expect(conv.weights).toEqual(W4);
    expect(conv.accumulator).toMatchObject({ kind: 'i32', bound: 7 * 127 * 27 });
    expect(conv.params).toBe(5 * 27 + 5);
    expect(conv.paramBytes).toBe(Math.ceil(135 / 4) * 4 + 5 * 4); // 4-bit weights packed 4 per word, f32 bias
    expect(conv.macs).toBe(2 * 5 * 4 * 4 * 27);
    const fc = e.rows[2];
    expect(fc.fused).toEqual([]);
    expect(fc.bias).toBeUndefined();
    expect(fc.accumulator).toMatchObject({ kind: 'f32', bound: 0 });
    expect(fc.macs).toBe(2 * 3 * 80);
    expect(e.batch).toBe(2);
    expect(e.totals).toEqual({ layers: 4, params: 140 + 240, paramBytes: 156 + 960, paramBytesF32: 4 * 380, macs: 4320 + 480, macsPerItem: (4320 + 480) / 2 });
  });

  it('renders an aligned table with totals and the reasons for f32 accumulation', () => {
    const text = renderExplain(explainGraph(planned().graph));
    const lines = text.split('\n');
    expect(lines[0]).toBe('net E');
    const header = lines[1];
    const rule = lines[2];
    expect(rule).toMatch(/^-+( +-+)+$/);
    // each header sits inside its column's rule
    const columns = [...rule.matchAll(/-+/g)].map((m) => header.slice(m.index, m.index + m[0].length).trim());
    expect(columns).toEqual(['layer', 'op', 'input', 'output', 'weights', 'bias', 'accumulator', 'params', 'bytes', 'MACs']);
    const conv = lines.find((l) => l.startsWith('c.conv '))!;
    expect(conv).toContain('conv+bias+relu+quantize');
    expect(conv).toContain('i32 (24,003)');
    // numbers are right-aligned under their header's right edge
    const macsEnd = header.length;
    expect(conv.length).toBe(macsEnd);
    expect(conv.endsWith('4,320')).toBe(true);
    expect(lines.find((l) => l.startsWith('total (4 nodes)'))).toMatch(/380 +1,116 +4,800$/);
    expect(text).toContain('fc: f32 accumulation (the weights are f32');
    expect(text).toContain('parameters: 1.1 KiB as stored, 1.5 KiB as f32 masters');
    expect(text).toContain('MACs: 4,800 for a batch of 2, 2,400 per item');
  });

  it('renders the fusion report and memory peaks', () => {
    const r = planned();
    expect(renderFusion(r.fusion)).toBe('fusion: 7 nodes -> 4 nodes\n  c.conv: quantizers c.conv.weights.q; epilogue relu+quantize\n');
    expect(renderMemory([r.memory.inference!])).toMatch(/^memory \(inference\): peak [\d.]+ (B|KiB) in \d+ buffers \(at most [\d.]+ (B|KiB) live at once; [\d.]+ (B|KiB) without reuse\)\n$/);
  });

  it('gives no per-item MACs when the inputs do not agree on a leading dimension', () => {
    const b = new GraphBuilder('NoBatch');
    b.input('x', [2, 4]);
    b.input('y', [3, 4]);
    b.op('fx', 'dense', ['x'], { units: 2 });
    b.op('fy', 'dense', ['y'], { units: 2 });
    const e = explainGraph(runPipeline(b.output('fx').output('fy').build(), { mode: 'inference' }).graph);
    expect(e.batch).toBeUndefined();
    expect(e.totals.macsPerItem).toBeUndefined();
    expect(e.totals.macs).toBe(2 * 2 * 4 + 3 * 2 * 4);
    expect(renderExplain(e)).not.toContain('per item');
  });

  it('pads cells to the widest one', () => {
    expect(renderTable(['a', 'n'], [['long', '1'], ['x', '100']], [false, true])).toBe('a       n\n----  ---\nlong    1\nx     100');
  });
});
