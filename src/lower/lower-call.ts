import { didYouMean } from '../diag/suggest.js';
import type { Node, ParamInfo, TensorType } from '../ir/graph.js';
import { formatNumberType } from '../numeric/number-type.js';
import type { OpDef, ParamSpec } from '../ops/op-def.js';
import type { CallExpr, Expr } from '../parser/ast.js';
import { bindOpArgs } from './attrs.js';
import { describeConst } from './const-value.js';
import { evaluate, reportUnknownName } from './evaluate.js';
import type { DeclaredOut, Expansion } from './expansion.js';
import { inferNode } from './infer.js';
import { importHint } from './program-index.js';
import { calleeCandidates } from './scope.js';

/**
 * Lowers an expression that must be a tensor: a value name or a call. A call nested in another
 * expression gets the id `<parent>.<callee>` (made unique), so `f1 = relu(dense(x))` gives the
 * nodes `f1.dense` and `f1`. Returns the value id, or undefined after an error.
 */
export function lowerTensor(expr: Expr, x: Expansion, parentId: string): string | undefined {
  switch (expr.kind) {
    case 'ParenExpr':
      return lowerTensor(expr.expr, x, parentId);
    case 'CallExpr':
      return lowerCall(expr, x, x.builder.freshId(`${parentId}.${expr.callee.name}`));
    case 'NameRef': {
      const b = x.env.frame.get(expr.name.name);
      if (b?.kind === 'tensor') return b.valueId;
      if (b?.kind === 'broken') return undefined;
      if (!b && !x.env.index.lookup(expr.name.name, x.env.file) && !['f32', 'i32'].includes(expr.name.name)) {
        reportUnknownName(expr, x.env);
        return undefined;
      }
      break;
    }
    default:
      break;
  }
  const v = evaluate(expr, x.env);
  if (v) {
    x.env.report.error('LPC1211', `a tensor is needed here, but this is ${describeConst(v)}`, expr.span, {
      hint: 'inputs of ops and tensor parameters of blocks take values such as `x` or `conv(x, ...)`',
    });
  }
  return undefined;
}

/**
 * Lowers a call of an op or a block whose result gets the id `id` (reserved by the caller, so
 * nested calls can derive their ids from it). `out` is the `-> T` written after the call.
 */
export function lowerCall(call: CallExpr, x: Expansion, id: string, out?: DeclaredOut): string | undefined {
  const name = call.callee.name;
  const def = x.env.index.lookup(name, x.env.file);
  if (def?.kind === 'block') return x.hooks.expandBlock(call, def, x, id, out);
  if (def?.kind === 'net') {
    x.env.report.error('LPC1226', `\`${name}\` is a net; only ops and blocks can be called`, call.callee.span, {
      hint: 'move the shared layers into a `block` and call that',
    });
    return undefined;
  }
  const op = x.env.index.ops.get(name);
  if (op) return lowerOpCall(call, op, x, id, out);
  x.env.report.error('LPC1201', `unknown op or block \`${name}\``, call.callee.span, {
    hint: importHint(x.env.index.lookupAnywhere(name), x.env.file) ?? didYouMean(name, calleeCandidates(x.env)),
  });
  return undefined;
}

function lowerOpCall(call: CallExpr, op: OpDef, x: Expansion, id: string, out?: DeclaredOut): string | undefined {
  const builder = x.builder;
  const report = x.env.report;
  const bound = bindOpArgs(call, op, x.env);
  const inputIds: (string | undefined)[] = bound.inputs.map((a) => lowerTensor(a.expr, x, id));
  let ok = bound.ok;
  if (out && op.isLoss) {
    report.error('LPC1308', `\`${op.name}\` computes a loss or metric in f32; it cannot have the output type ${formatNumberType(out.type)}`, out.span, {
      hint: 'remove the `-> T`',
    });
    ok = false;
  }
  const inputTypes: TensorType[] = [];
  for (const vid of inputIds) {
    const t = vid === undefined ? undefined : builder.typeOf(vid);
    if (t) inputTypes.push(t);
    else ok = false;
  }
  const types: Node['types'] = { ...bound.declared };
  if (out) types.output = out.type;
  const node: Node = { id, op: op.name, inputs: inputIds.filter((v): v is string => v !== undefined), outputs: [id], attrs: bound.attrs, types, span: call.span };
  const inferred = ok ? inferNode(op, inputTypes, bound.attrs, out?.type, { span: call.span, spans: bound.spans }, report) : undefined;
  if (!inferred) {
    builder.addNode(node, undefined);
    return id;
  }
  for (const spec of inferred.params) {
    const pid = builder.freshId(`${id}.${spec.slot}`);
    builder.addParam(pid, [...spec.shape], paramInfo(spec, id, bound.attrs), call.span);
    node.inputs.push(pid);
  }
  for (const slot of ['weights', 'bias'] as const) {
    if (bound.declared[slot] && !inferred.params.some((p) => p.typeSlot === slot)) {
      report.warning('LPC1229', `\`${slot}:\` has no effect: this \`${op.name}\` has no ${slot} parameter`, bound.spans.get(slot) ?? call.span, {
        hint: slot === 'bias' ? 'remove it, or drop `bias_term: false`' : 'remove it',
      });
    }
  }
  builder.addNode(node, { dtype: inferred.dtype, shape: inferred.shape });
  return id;
}

/**
 * Caffe's per-parameter multipliers come from the op's attributes: `weight_lr_mult`/
 * `weight_decay_mult` for the parameter quantized as `weights`, `bias_*` for `bias`, and
 * `<slot>_lr_mult` for any other slot; 1 when the op has no such attribute.
 */
function paramInfo(spec: ParamSpec, owner: string, attrs: Node['attrs']): ParamInfo {
  const prefix = spec.typeSlot === 'weights' ? 'weight' : spec.typeSlot === 'bias' ? 'bias' : spec.slot;
  const mult = (key: string) => {
    const v = attrs[`${prefix}_${key}`];
    return typeof v === 'number' ? v : 1;
  };
  return {
    slot: spec.slot,
    owner,
    filler: { ...spec.filler },
    lrMult: mult('lr_mult'),
    decayMult: mult('decay_mult'),
    trainable: spec.trainable ?? true,
  };
}
