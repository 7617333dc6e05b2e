import type { Span } from '../diag/span.js';
import type { Attrs, TensorType } from '../ir/graph.js';
import { F32, type NumberType } from '../numeric/number-type.js';
import type { OpDef, ParamSpec } from '../ops/op-def.js';
import type { Reporter } from './reporter.js';

export interface InferredNode {
  shape: number[];
  dtype: NumberType;
  params: ParamSpec[];
}

export interface InferSite {
  /** The call, where a diagnostic points when no argument is to blame. */
  span: Span;
  /** Where each attribute / input was written, for the op's `blame`. */
  spans: ReadonlyMap<string, Span>;
}

const isDim = (d: number) => Number.isSafeInteger(d) && d >= 1;

/**
 * Shape, number type and parameters of one node from its op's rules (inferShape, inferType,
 * params). An op that rejects its inputs gives LPC1400 with the op's own message and hint, at the
 * argument it blames; an op whose rule throws or returns nonsense is a bug in lpc (LPC1299), so it
 * is reported as such rather than as the user's mistake. Undefined after an error: the caller
 * marks the value unknown, and nodes that use it are not inferred (no cascades).
 */
export function inferNode(
  op: OpDef,
  inputs: TensorType[],
  attrs: Attrs,
  declaredOut: NumberType | undefined,
  site: InferSite,
  report: Reporter,
): InferredNode | undefined {
  const bug = (what: string, e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    report.error('LPC1299', `internal error: the ${what} of op \`${op.name}\` failed: ${msg}`, site.span, {
      hint: 'this is a bug in lpc, not in the net; please report it with this file',
    });
    return undefined;
  };
  let result;
  try {
    result = op.inferShape(inputs, attrs);
  } catch (e) {
    return bug('shape rule', e);
  }
  if (!result.ok) {
    const at = (result.blame !== undefined ? site.spans.get(result.blame) : undefined) ?? site.span;
    report.error('LPC1400', result.message, at, { hint: result.hint });
    return undefined;
  }
  const shape = result.shape;
  if (!Array.isArray(shape) || !shape.every(isDim)) {
    report.error('LPC1400', `\`${op.name}\` would give the output shape [${String(shape)}], which has an empty dimension`, site.span, {
      hint: 'the input is too small for this op and its attributes (kernel, stride, pad)',
    });
    return undefined;
  }
  let dtype: NumberType;
  try {
    dtype = declaredOut ?? op.inferType?.(inputs, attrs) ?? F32;
  } catch (e) {
    return bug('type rule', e);
  }
  let params: ParamSpec[];
  try {
    params = op.params?.(attrs, inputs) ?? [];
  } catch (e) {
    return bug('parameter rule', e);
  }
  for (const p of params) {
    if (!p.shape.every(isDim)) {
      report.error('LPC1400', `\`${op.name}\` would get a ${p.slot} parameter of shape [${p.shape.join(', ')}], which has an empty dimension`, site.span, {
        hint: 'check the sizes given to this op (filters, units) and its input shape',
      });
      return undefined;
    }
  }
  return { shape: [...shape], dtype, params };
}
