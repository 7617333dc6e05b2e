import { describe, expect, it } from 'vitest';
import type { Graph } from '../../../src/ir/graph.js';
import { findBatchUses, formatNetText, graphToLpnet } from '../../../src/import/lpnet/graph-to-lpnet.js';
import { lowerSource } from '../../../src/lower/front-end.js';
import { fixed } from '../../../src/numeric/number-type.js';
import { exampleFiles, lowerExample } from '../../helpers/examples.js';

/** The graph with node and value ids renamed as the writer names them, spans dropped: what lowering the text must give. */
function renamed(g: Graph, names: ReadonlyMap<string, string>): unknown {
  // Node and input ids by the map; a parameter `owner.slot` by its owner's new name.
  const id = (s: string) => {
    const dot = s.lastIndexOf('.');
    return names.get(s) ?? (dot > 0 ? `${names.get(s.slice(0, dot)) ?? s.slice(0, dot)}${s.slice(dot)}` : s);
  };
  return {
    nodes: g.nodes.map((n) => ({ id: id(n.id), op: n.op, inputs: n.inputs.map(id), attrs: n.attrs, types: n.types, shape: g.values.get(n.outputs[0])?.type })),
    inputs: g.inputs.map((i) => [id(i), g.values.get(i)?.type]),
    params: g.params.map((p) => [id(p), g.values.get(p)?.type.shape, g.values.get(p)?.param?.filler, g.values.get(p)?.param?.lrMult]),
    outputs: g.outputs.map((o) => [o.name, id(o.value)]),
    losses: g.losses.map((o) => [o.name, id(o.value)]),
    train: g.train && { ...g.train, span: undefined },
  };
}

/** Writes `g` (with `batch` where `other`, lowered with batch 3, says it follows the batch), formats and lowers it. */
async function roundTrip(g: Graph, other?: Graph): Promise<{ text: string; graph: Graph; names: Map<string, string> }> {
  const b = g.netParams.batch;
  const uses = typeof b === 'number' && other ? findBatchUses(g, other, b, 3) : undefined;
  if (other) expect(uses, `${g.name}: where the batch goes`).toBeDefined();
  const w = graphToLpnet(g, { batch: uses });
  const text = await formatNetText(w.text, 'out.lpnet');
  const r = lowerSource(text, 'out.lpnet');
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`), text).toEqual([]);
  return { text, graph: r.graphs[0], names: w.names };
}

describe('graphToLpnet', () => {
  for (const file of exampleFiles()) {
    it(`${file}: every net written flat lowers to the same graph, ids made identifiers`, async () => {
      const nets = lowerExample(file);
      const others = lowerExample(file, { batch: '3' });
      for (const g of nets) {
        const other = others.find((o) => o.name === g.name);
        const { graph, names, text } = await roundTrip(g, typeof g.netParams.batch === 'number' && g.netParams.batch !== 3 ? other : undefined);
        if (other && g.netParams.batch !== 3) expect(text).toContain('(batch: int = ');
        expect(renamed(graph, new Map([...names.values()].map((v) => [v, v]))), g.name).toEqual(renamed(g, names));
        for (const id of names.values()) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      }
    });
  }

  it('writes the batch parameter where the shapes follow it, the types inline, comments before bindings, and the train section', async () => {
    const src = `
net N(batch: int = 4, classes: int = 3) {
  input image: f32[batch, 1, 4, 4]
  input label: i32[batch]
  h = relu(dense(image, units: 8, weights: fixed<2, 6>, bias: fixed<4, 4>)) -> fixed<4, 4, round: stochastic>
  logits = dense(h, units: classes)
  loss xent = softmax_cross_entropy(logits, label)
}
train N { optimizer adam(lr: 0.001); schedule multistep(gamma: 0.1, steps: [10, 20]); batch 4; epochs 2 }
`;
    const g = lowerSource(src, 'n.lpnet').graphs[0];
    const g5 = lowerSource(src, 'n.lpnet', { params: { batch: 5 } }).graphs[0];
    const uses = findBatchUses(g, g5, 4, 5)!;
    expect([...uses.inputDims]).toEqual([
      ['image', [true, false, false, false]],
      ['label', [true]],
    ]);
    const w = graphToLpnet(g, { header: ['made by a test'], notes: new Map([['h.dense', ['weights: max |x| 1.5 -> fixed<2, 6>']]]), batch: uses });
    const text = await formatNetText(w.text, 'n.lpnet');
    expect(text).toContain('# made by a test');
    expect(text).toContain('net N(batch: int = 4) {');
    expect(text).toContain('input image: f32[batch, 1, 4, 4]');
    expect(text).toMatch(/# weights: max \|x\| 1\.5 -> fixed<2, 6>\n\s+h_dense = dense\(image, units: 8, weights: fixed<2, 6>, bias: fixed<4, 4>\)/);
    expect(text).toContain('h = relu(h_dense) -> fixed<4, 4, round: stochastic>');
    expect(text).toContain('loss xent = softmax_cross_entropy(logits, label)');
    expect(text).toContain('optimizer adam(lr: 0.001');
    expect(text).toContain('schedule multistep(gamma: 0.1, steps: [10, 20])');
    const again = lowerSource(text, 'n.lpnet', { params: { batch: 7 } }).graphs[0];
    expect(again.values.get('image')?.type.shape).toEqual([7, 1, 4, 4]);
    expect(again.nodes.find((n) => n.id === 'h')?.types.output).toEqual(fixed(4, 4, 'stochastic'));
    expect(again.train?.optimizer).toEqual(g.train?.optimizer);
    expect(again.train?.schedule).toEqual(g.train?.schedule);
  });

  it('names: marked outputs keep their names, op names and keywords are avoided, clashes get a suffix', () => {
    const src = `
block b(x) { relu = relu(x); return dense(relu, units: 2) }
net N {
  input image: f32[2, 4]
  input label: i32[2]
  a = b(image)
  a_relu = relu(a)
  output logits = dense(a_relu, units: 3)
  loss xent = softmax_cross_entropy(logits, label)
}`;
    const r = lowerSource(src, 'n.lpnet');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const w = graphToLpnet(r.graphs[0]);
    expect(w.names.get('logits')).toBe('logits');
    expect(w.names.get('a_relu')).toBe('a_relu');
    expect(w.names.get('a/relu')).toBe('a_relu_2');
    expect(w.text).toContain('output logits = dense(a_relu, units: 3)');
    expect(lowerSource(w.text, 'w.lpnet').diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});
