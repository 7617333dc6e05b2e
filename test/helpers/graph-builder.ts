/**
 * Builds IR graphs by hand for pass tests, the way lowering does: attribute defaults from the
 * op's schema, output shape and type from its inferShape/inferType (or the declared `-> T`),
 * and parameters `<node>.<slot>` from its params() with Caffe-style multipliers.
 */
import type { Span } from '../../src/diag/span.js';
import type { Attrs, DeclaredTypes, Graph, TensorType } from '../../src/ir/graph.js';
import { F32, type NumberType } from '../../src/numeric/number-type.js';
import { getOp } from '../../src/ops/registry.js';

export function spanAt(line: number, file = 'test.lpnet'): Span {
  return { file, start: { offset: 0, line, col: 3 }, end: { offset: 5, line, col: 8 } };
}

export class GraphBuilder {
  readonly g: Graph;
  private line = 1;

  constructor(name = 'Net', netParams: Graph['netParams'] = {}) {
    this.g = { name, netParams, values: new Map(), nodes: [], inputs: [], params: [], outputs: [], losses: [] };
  }

  input(id: string, shape: number[], dtype: NumberType = F32): string {
    this.g.values.set(id, { id, type: { dtype, shape }, role: 'input', span: spanAt(this.line++) });
    this.g.inputs.push(id);
    return id;
  }

  /** Adds node `id` of `op` reading `inputs`; returns its output value id (= id). */
  op(id: string, opName: string, inputs: string[], attrs: Attrs = {}, types: DeclaredTypes = {}): string {
    const op = getOp(opName);
    if (!op) throw new Error(`no op '${opName}' in the registry`);
    const full: Attrs = {};
    for (const [k, spec] of Object.entries(op.attrs)) if (spec.default !== undefined) full[k] = spec.default;
    Object.assign(full, attrs);
    const inTypes: TensorType[] = inputs.map((i) => {
      const v = this.g.values.get(i);
      if (!v) throw new Error(`no value '${i}'`);
      return v.type;
    });
    const shape = op.inferShape(inTypes, full);
    if (!shape.ok) throw new Error(`${id}: ${shape.message}`);
    const dtype = types.output ?? op.inferType?.(inTypes, full) ?? F32;
    const span = spanAt(this.line++);
    const node = { id, op: opName, inputs: [...inputs], outputs: [id], attrs: full, types: { ...types }, span };
    for (const spec of op.params?.(full, inTypes) ?? []) {
      const pid = `${id}.${spec.slot}`;
      const prefix = spec.typeSlot === 'weights' ? 'weight' : spec.typeSlot === 'bias' ? 'bias' : spec.slot;
      const mult = (key: string) => (typeof full[`${prefix}_${key}`] === 'number' ? (full[`${prefix}_${key}`] as number) : 1);
      this.g.values.set(pid, {
        id: pid,
        type: { dtype: F32, shape: [...spec.shape] },
        role: 'param',
        param: {
          slot: spec.slot,
          owner: id,
          filler: { ...spec.filler },
          lrMult: mult('lr_mult'),
          decayMult: mult('decay_mult'),
          trainable: spec.trainable ?? true,
        },
        span,
      });
      this.g.params.push(pid);
      node.inputs.push(pid);
    }
    this.g.nodes.push(node);
    this.g.values.set(id, { id, type: { dtype, shape: shape.shape }, role: 'activation', producer: id, span });
    return id;
  }

  output(name: string, value = name): this {
    this.g.outputs.push({ name, value });
    return this;
  }

  loss(name: string, value = name): this {
    this.g.losses.push({ name, value });
    return this;
  }

  build(): Graph {
    return this.g;
  }
}
