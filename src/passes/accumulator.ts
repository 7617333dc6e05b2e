import { error, type Diagnostic } from '../diag/diagnostic.js';
import type { Graph, Node } from '../ir/graph.js';
import { cloneGraph } from '../ir/graph-util.js';
import { codeRange, formatNumberType, widthOf, type FixedType, type NumberType } from '../numeric/number-type.js';
import { sizeOf } from '../numeric/tensor.js';
import { PASS_CODES } from './codes.js';
import { dataInputs, opOf, paramInputForSlot, paramNumberType, typesOf } from './op-info.js';

/**
 * Accumulator analysis (SEMANTICS.md section 4) for every op that takes an `acc:` type slot
 * (conv, dense). With fixed-point weights (codes up to Kw) and inputs (codes up to Kx), fan-in
 * K and a bias of at most B in the accumulator's scale 2^-(Fw+Fx),
 *
 *   bound = Kw * Kx * K + B
 *
 * bounds |sum of products + bias| in accumulator units; i32 is exact when bound < 2^31, else the
 * layer accumulates in f32. Kw and Kx are the largest code magnitudes of the types' overflow
 * modes: 2^(W-1)-1 for the default saturate_symmetric (SEMANTICS' formula), 2^(W-1) for
 * saturate and wrap, whose most negative code is one larger. A bias enters B only when it is
 * fixed-point with at most Fw+Fx fraction bits (then it is an exact integer in the accumulator);
 * an f32 bias, or a finer one, is added in f32 after the exact integer sum and contributes 0.
 * Any f32 operand forces f32 (bound 0: there is no integer bound).
 *
 * A declared `acc:` type wins when it is wide enough: `acc: f32` forces f32; `acc: i32` or
 * `acc: fixed<I, F>` (only its width counts) must hold the bound, else LPC2001 names the layer,
 * the bound and the width needed.
 */
export const I32_LIMIT = 2 ** 31;

export interface AccumulatorAnalysis {
  graph: Graph;
  diagnostics: Diagnostic[];
}

export function analyzeAccumulators(input: Graph): AccumulatorAnalysis {
  const g = cloneGraph(input);
  const diagnostics: Diagnostic[] = [];
  for (const n of g.nodes) {
    const op = opOf(n);
    if (!op?.typeSlots?.includes('acc')) continue;
    const result = chooseAccumulator(g, n);
    n.accumulator = result.accumulator;
    if (result.diagnostic) diagnostics.push(result.diagnostic);
  }
  return { graph: g, diagnostics };
}

/** Largest |code| of a fixed-point type: kmax, or -kmin when the most negative code is larger. */
export function maxCodeMagnitude(t: FixedType): number {
  const { kmin, kmax } = codeRange(t);
  return Math.max(kmax, -kmin);
}

/** Smallest signed width W whose positive range holds `bound`: 2^(W-1) > bound. */
export function widthNeeded(bound: number): number {
  let w = 1;
  while (2 ** (w - 1) <= bound) w++;
  return w;
}

/** Fan-in K: MACs per output element, from the op's cost rule (or the weights' shape when it has none). */
export function fanIn(g: Graph, n: Node): number {
  const op = opOf(n);
  const out = g.values.get(n.outputs[0]);
  const outCount = out ? sizeOf(out.type.shape) : 0;
  if (op?.macs && outCount > 0) {
    const k = op.macs(typesOf(g, dataInputs(g, n)), out!.type.shape, n.attrs) / outCount;
    if (Number.isInteger(k) && k > 0) return k;
  }
  const w = g.values.get(paramInputForSlot(g, n, 'weights') ?? '');
  const channels = out?.type.shape[1] ?? 1;
  return w ? sizeOf(w.type.shape) / channels : 0;
}

interface Choice {
  accumulator: NonNullable<Node['accumulator']>;
  diagnostic?: Diagnostic;
}

function chooseAccumulator(g: Graph, n: Node): Choice {
  const xType = g.values.get(dataInputs(g, n)[0] ?? '')?.type.dtype;
  const wType = paramNumberType(g, n, 'weights');
  const bType = paramNumberType(g, n, 'bias');
  const declared = n.types.acc;
  const k = fanIn(g, n);

  if (xType?.kind !== 'fixed' || wType?.kind !== 'fixed') {
    const which = xType?.kind !== 'fixed' ? 'the input' : 'the weights';
    const reason = xType?.kind !== 'fixed' ? `the input is ${fmt(xType)}: products are not integers` : `the weights are ${fmt(wType)}: products are not integers`;
    const accumulator = { kind: 'f32' as const, bound: 0, reason };
    if (declared && declared.kind !== 'f32') {
      return {
        accumulator,
        diagnostic: error(
          PASS_CODES.ACC_INTEGER_NOT_EXACT,
          `layer '${n.id}' declares accumulator ${formatNumberType(declared)}, but ${reason}`,
          n.span,
          { hint: `give ${which} a fixed-point type, or write \`acc: f32\`` },
        ),
      };
    }
    return { accumulator };
  }

  const scaleBits = wType.fracBits + xType.fracBits;
  let biasBound = 0;
  let biasNote = '';
  if (bType?.kind === 'fixed' && bType.fracBits <= scaleBits) biasBound = maxCodeMagnitude(bType) * 2 ** (scaleBits - bType.fracBits);
  else if (bType) biasNote = `; the ${fmt(bType)} bias is added in f32 after the integer sum`;
  const bound = maxCodeMagnitude(wType) * maxCodeMagnitude(xType) * k + biasBound;
  const terms = `${maxCodeMagnitude(wType)} * ${maxCodeMagnitude(xType)} * ${k}${biasBound ? ` + ${biasBound}` : ''}`;

  if (declared?.kind === 'f32') return { accumulator: { kind: 'f32', bound, reason: `declared acc: f32 (bound ${terms} = ${bound})${biasNote}` } };
  if (declared) {
    const width = declared.kind === 'i32' ? 32 : widthOf(declared);
    if (bound >= 2 ** (width - 1)) {
      const need = widthNeeded(bound);
      return {
        accumulator: { kind: bound < I32_LIMIT ? 'i32' : 'f32', bound, reason: `declared ${formatNumberType(declared)} is too narrow` },
        diagnostic: error(
          PASS_CODES.ACC_TOO_NARROW,
          `layer '${n.id}': accumulator ${formatNumberType(declared)} (${width} bits) cannot hold the worst-case sum ${bound} (= ${terms}); it needs ${need} bits`,
          n.span,
          {
            notes: [{ message: `weights ${fmt(wType)}, input ${fmt(xType)}, fan-in ${k}${biasBound ? `, bias ${fmt(bType)}` : ''}` }],
            hint: need <= 32 ? `declare \`acc: i32\` or a type of at least ${need} bits` : 'no integer accumulator is wide enough: write `acc: f32`, or narrow the weights, the input type or the fan-in',
          },
        ),
      };
    }
    return { accumulator: { kind: 'i32', bound, reason: `declared ${formatNumberType(declared)} holds the bound ${terms} = ${bound}${biasNote}` } };
  }
  if (bound < I32_LIMIT) return { accumulator: { kind: 'i32', bound, reason: `exact in i32: bound ${terms} = ${bound} < 2^31${biasNote}` } };
  return { accumulator: { kind: 'f32', bound, reason: `bound ${terms} = ${bound} >= 2^31: i32 could overflow` } };
}

function fmt(t: NumberType | undefined): string {
  return t ? formatNumberType(t) : 'missing';
}
