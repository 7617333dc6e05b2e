import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { I32, fixed } from '../../src/numeric/number-type.js';
import { allocate, planMemory, type MemoryPlan } from '../../src/passes/memory-plan.js';
import { runPipeline } from '../../src/passes/pipeline.js';
import { GraphBuilder } from '../helpers/graph-builder.js';

function chain(length: number): Graph {
  const b = new GraphBuilder();
  let last = b.input('x', [1, 1000]);
  for (let i = 1; i <= length; i++) last = b.op(`t${i}`, 'tanh', [last]);
  return b.output('y', last).build();
}

/** No two tensors alive at the same tick share a buffer, and every buffer holds its tensors. */
function expectValid(p: MemoryPlan): void {
  for (const t of p.tensors) expect(p.buffers[t.buffer]).toBeGreaterThanOrEqual(t.bytes);
  for (const a of p.tensors) {
    for (const b of p.tensors) {
      if (a === b || a.buffer !== b.buffer) continue;
      expect(a.death < b.birth || b.death < a.birth, `${a.id} and ${b.id} overlap in buffer ${a.buffer}`).toBe(true);
    }
  }
}

describe('memory plan', () => {
  it('reuses buffers along a chain: peak well below the sum of activations', () => {
    const p = planMemory(chain(6));
    expectValid(p);
    expect(p.sumBytes).toBe(7 * 4000);
    expect(p.peakBytes).toBe(2 * 4000);
    expect(p.peakBytes).toBeLessThan(p.sumBytes);
    expect(p.peakLiveBytes).toBe(8000);
    expect(p.tensors.find((t) => t.id === 't6')!.death).toBe(5);
  });

  it('counts bytes as stored: fixed-point packed, i32 and f32 four bytes', () => {
    const b = new GraphBuilder();
    b.input('x', [1, 10], fixed(4, 4)); // 10 codes, 4 per word: 12 bytes
    b.input('w', [1, 10], fixed(8, 8)); // 2 per word: 20 bytes
    b.input('label', [1], I32);
    b.op('s', 'add', ['x', 'w']);
    const p = planMemory(b.output('s').build());
    const bytes = Object.fromEntries(p.tensors.map((t) => [t.id, t.bytes]));
    expect(bytes).toEqual({ x: 12, w: 20, label: 4, s: 40 });
  });

  it('places each tensor in the smallest free buffer that fits, else grows the largest', () => {
    const r = allocate(
      [
        { id: 'a', kind: 'activation', bytes: 100, birth: 0, death: 0 },
        { id: 'b', kind: 'activation', bytes: 40, birth: 0, death: 0 },
        { id: 'c', kind: 'activation', bytes: 30, birth: 1, death: 1 },
        { id: 'd', kind: 'activation', bytes: 200, birth: 2, death: 2 },
      ],
      3,
    );
    const at = Object.fromEntries(r.tensors.map((t) => [t.id, t.buffer]));
    expect(at).toEqual({ a: 0, b: 1, c: 1, d: 0 });
    expect(r.buffers).toEqual([200, 40]);
    expect(r.peakBytes).toBe(240);
    expect(r.peakLiveBytes).toBe(200);
    expect(r.sumBytes).toBe(370);
  });

  it('plans a training step: activations kept for backward, gradients, the fused anchor result', () => {
    const b = new GraphBuilder();
    b.input('x', [4, 3, 8, 8]);
    b.input('label', [4], I32);
    b.op('c1', 'conv', ['x'], { filters: 4, kernel: [3, 3], pad: [1, 1] }, { weights: fixed(2, 6), output: fixed(4, 4) });
    b.op('r1', 'relu', ['c1']);
    b.op('p1', 'max_pool', ['r1'], { kernel: [2, 2], stride: [2, 2] });
    b.op('fc', 'dense', ['p1'], { units: 5 });
    b.op('xent', 'softmax_cross_entropy', ['fc', 'label']);
    const r = runPipeline(b.loss('xent').build(), { mode: 'training' });
    expect(r.ok).toBe(true);
    const inf = r.memory.inference!;
    const tr = r.memory.training!;
    expectValid(inf);
    expectValid(tr);
    expect(tr.mode).toBe('training');
    expect(tr.peakBytes).toBeGreaterThan(inf.peakBytes);
    const ids = tr.tensors.map((t) => t.id);
    expect(ids).toContain('c1.pre'); // the fused conv's own f32 result, kept for its backward step
    expect(ids).toContain('c1.weights.grad');
    const saved = tr.tensors.find((t) => t.id === 'c1.pre')!;
    expect(saved.bytes).toBe(4 * 4 * 8 * 8 * 4);
    // the conv's output (quantized, relu'd: fixed<4, 4>) lives until the conv's backward step
    const c1 = tr.tensors.find((t) => t.id === 'r1')!;
    const c1Step = r.graph.nodes.length + r.backward!.steps.findIndex((s) => s.node === 'c1');
    expect(c1.death).toBe(c1Step);
    expect(c1.bytes).toBe(4 * 4 * 8 * 8); // one byte per 8-bit code
    // parameter gradients live until the optimizer tick
    expect(tr.tensors.find((t) => t.id === 'fc.weights.grad')!.death).toBe(tr.ticks - 1);
    expect(tr.paramBytes.master).toBe(4 * (4 * 3 * 9 + 4 + 5 * 64 + 5));
    expect(tr.paramBytes.stored).toBe(Math.ceil((4 * 3 * 9) / 4) * 4 + 4 * (4 + 5 * 64 + 5));
  });
});
