import type { DeclaredTypes, Graph, Node, TensorType } from '../../ir/graph.js';
import { F32, formatNumberType, isFixed, type NumberType } from '../../numeric/number-type.js';
import { getOp } from '../../ops/registry.js';
import { dataInputs, paramInputs } from '../../passes/op-info.js';
import { emptyMagnitudeHistogram } from '../train/magnitude-histogram.js';
import type { QuantizePolicy } from './policy.js';
import { chooseFixed, describeChoice, type FixedChoice, type MagnitudeStats } from './select-bits.js';

/**
 * Which tensors of a net get which type, decided in graph order from calibration statistics:
 *
 *   weights, bias   every parameter in a `weights:` / `bias:` slot of its op gets a type of the
 *                   weight width (the bias its own, or the weights' with `bias: same`);
 *   outputs         every node whose output would otherwise be f32 (given the types chosen
 *                   before it: a max_pool or a relu of a fixed value keeps that type and needs
 *                   none) gets `-> T` of the activation width, except losses and metrics and,
 *                   with keepLogitsF32, the logits and what is computed from them;
 *   the image input a type too when keepInputF32 is off.
 *
 * With keepTypes, a node that declares any type keeps its declarations exactly and gets no new
 * one (ADaPTION's LP layers leave the bias f32 unless round_bias: a bias type added there would
 * change the layer), and inputs keep their declared types. Otherwise every declaration of the
 * source is replaced. Explicit `quantize` ops are ops, not declarations: they always stay.
 */

export type TypeSlotName = 'weights' | 'bias' | 'output' | 'input';

export interface TypeDecision {
  /** The node (or the input) the type is written on. */
  layer: string;
  op: string;
  slot: TypeSlotName;
  /** The tensor the statistics are of: a parameter id, the node's output value, or the input. */
  tensor: string;
  type: NumberType;
  how: 'chosen' | 'same-as-weights' | 'kept' | 'kept-f32';
  choice?: FixedChoice;
}

export interface TypeAssignment {
  /** Declared types per node id (empty: none). */
  types: Map<string, DeclaredTypes>;
  /** Number type per graph input. */
  inputTypes: Map<string, NumberType>;
  decisions: TypeDecision[];
  /** Comment lines (the statistic behind each type) per node or input id. */
  notes: Map<string, string[]>;
  /** Tensors that needed a type but had no statistics. */
  missing: string[];
}

export type StatsLookup = (tensor: string) => MagnitudeStats | undefined;

/** Values computed from the logits (what losses and metrics read first), losses excluded. */
export function logitsSide(g: Graph): Set<string> {
  const side = new Set<string>();
  for (const n of g.nodes) if (getOp(n.op)?.isLoss) side.add(dataInputs(g, n)[0]);
  for (const n of g.nodes) {
    if (getOp(n.op)?.isLoss) continue;
    if (dataInputs(g, n).some((id) => side.has(id))) for (const o of n.outputs) side.add(o);
  }
  return side;
}

function hasDeclarations(t: DeclaredTypes): boolean {
  return t.weights !== undefined || t.bias !== undefined || t.acc !== undefined || t.output !== undefined;
}

class Assigner {
  readonly result: TypeAssignment = { types: new Map(), inputTypes: new Map(), decisions: [], notes: new Map(), missing: [] };
  private readonly dtypes = new Map<string, NumberType>();

  constructor(
    private readonly g: Graph,
    private readonly policy: QuantizePolicy,
    private readonly stats: StatsLookup,
  ) {}

  private note(id: string, text: string): void {
    const list = this.result.notes.get(id) ?? [];
    list.push(text);
    this.result.notes.set(id, list);
  }

  /** A type for `tensor` of width `bits`, or undefined (and a missing entry) without statistics. */
  private choose(layer: string, op: string, slot: TypeSlotName, tensor: string, bits: number): NumberType | undefined {
    const s = this.stats(tensor);
    if (!s) {
      this.result.missing.push(tensor);
      return undefined;
    }
    const choice = chooseFixed(s, bits, this.policy.percentile);
    this.result.decisions.push({ layer, op, slot, tensor, type: choice.type, how: 'chosen', choice });
    this.note(layer, `${slot}: ${describeChoice(choice, formatNumberType(choice.type))}`);
    return choice.type;
  }

  inputs(): void {
    for (const id of this.g.inputs) {
      const v = this.g.values.get(id);
      if (!v) continue;
      let t = v.type.dtype;
      if (this.policy.keepTypes) {
        if (isFixed(t)) this.keep(id, 'input', 'input', id, t);
      } else if (t.kind !== 'i32') {
        t = F32;
        if (this.policy.activations && !this.policy.keepInputF32) t = this.choose(id, 'input', 'input', id, this.policy.actBits) ?? F32;
      }
      this.result.inputTypes.set(id, t);
      this.dtypes.set(id, t);
    }
  }

  private keep(layer: string, op: string, slot: TypeSlotName, tensor: string, t: NumberType): void {
    this.result.decisions.push({ layer, op, slot, tensor, type: t, how: 'kept' });
  }

  node(n: Node, logits: ReadonlySet<string>): void {
    const op = getOp(n.op);
    const inTypes: TensorType[] = dataInputs(this.g, n).map((id) => ({ dtype: this.dtypes.get(id) ?? F32, shape: this.g.values.get(id)?.type.shape ?? [] }));
    const own = op?.inferType ? op.inferType(inTypes, n.attrs) : F32;
    const types: DeclaredTypes = {};
    if (this.policy.keepTypes && hasDeclarations(n.types)) {
      Object.assign(types, n.types);
      const declared = Object.entries(n.types).filter(([, t]) => t !== undefined) as [string, NumberType][];
      for (const [slot, t] of declared) if (slot !== 'acc') this.keep(n.id, n.op, slot as TypeSlotName, this.tensorOf(n, slot), t);
      this.note(n.id, `kept as declared: ${declared.map(([slot, t]) => `${slot === 'output' ? '->' : `${slot}:`} ${formatNumberType(t)}`).join(', ')}`);
    } else if (op && !op.isLoss) {
      this.params(n, types);
      if (n.outputs.length === 1 && logits.has(n.outputs[0])) {
        if (isFixed(own)) {
          // Logits are kept f32 even where the op would pass a fixed type through.
          types.output = F32;
          this.result.decisions.push({ layer: n.id, op: n.op, slot: 'output', tensor: n.outputs[0], type: F32, how: 'kept-f32' });
        }
      } else if (this.policy.activations && n.outputs.length === 1 && own.kind === 'f32') {
        const t = this.choose(n.id, n.op, 'output', n.outputs[0], this.policy.actBits);
        if (t) types.output = t;
      }
    }
    this.result.types.set(n.id, types);
    for (const o of n.outputs) this.dtypes.set(o, types.output ?? own);
  }

  /** The parameter id behind a `weights`/`bias` declaration, or the output value. */
  private tensorOf(n: Node, slot: string): string {
    if (slot === 'output') return n.outputs[0] ?? n.id;
    return paramInputs(this.g, n).find((id) => this.g.values.get(id)?.param?.slot === slot) ?? `${n.id}.${slot}`;
  }

  private params(n: Node, types: DeclaredTypes): void {
    const slots = getOp(n.op)?.typeSlots ?? [];
    const bySlot = new Map<string, string>();
    for (const id of paramInputs(this.g, n)) {
      const slot = this.g.values.get(id)?.param?.slot;
      if (slot) bySlot.set(slot, id);
    }
    const weights = bySlot.get('weights');
    if (weights !== undefined && slots.includes('weights')) types.weights = this.choose(n.id, n.op, 'weights', weights, this.policy.weightBits);
    const bias = bySlot.get('bias');
    if (bias === undefined || !slots.includes('bias')) return;
    if (this.policy.bias === 'same' && types.weights) {
      types.bias = types.weights;
      this.result.decisions.push({ layer: n.id, op: n.op, slot: 'bias', tensor: bias, type: types.weights, how: 'same-as-weights' });
      this.note(n.id, `bias: the weights' type (--bias same)`);
    } else {
      types.bias = this.choose(n.id, n.op, 'bias', bias, this.policy.weightBits);
    }
  }
}

export function assignTypes(g: Graph, policy: QuantizePolicy, stats: StatsLookup): TypeAssignment {
  const a = new Assigner(g, policy, stats);
  a.inputs();
  const logits = policy.keepLogitsF32 ? logitsSide(g) : new Set<string>();
  for (const n of g.nodes) a.node(n, logits);
  return a.result;
}

/**
 * The tensors a policy chooses a type for (those that need calibration statistics): a dry run in
 * which every tensor asked about gets some fixed type, so that what follows it sees a fixed input
 * as it will in the real assignment.
 */
export function tensorsToCalibrate(g: Graph, policy: QuantizePolicy): string[] {
  const asked: string[] = [];
  const histogram = emptyMagnitudeHistogram();
  histogram[0] = 1;
  const placeholder: MagnitudeStats = { histogram, maxAbs: 0 };
  assignTypes(g, policy, (tensor) => {
    asked.push(tensor);
    return placeholder;
  });
  return asked;
}
