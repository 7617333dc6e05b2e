import type { Attrs } from '../ir/graph.js';
import { wgsl, type Expr } from '../codegen/wgsl/lib/expr.js';
import type { KernelBinding, KernelDispatch, KernelRequest, KernelTensor } from '../codegen/wgsl/lib/kernel.js';
import { gridFor, ShaderBuilder } from '../codegen/wgsl/lib/shader-builder.js';
import type { TensorAccessor } from '../codegen/wgsl/lib/tensor-accessor.js';
import { ELEMENT_WORKGROUP, ElementKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import { bindingCount, elementCount, flatAccessor, flatUniforms, scratchId, tensorBindingsOf } from '../codegen/wgsl/lib/templates/kernel-io.js';
import { optionalFloatsAttr, stringAttr } from './attrs.js';

/**
 * The WGSL forward of add and eltwise: one f32 accumulator per element, folded over the inputs
 * in input order with one f32 rounding per operation, which is exactly the reference's
 * arithmetic (add: acc + x_k; sum: acc + fround(c_k * x_k); prod: acc * x_k; max: the first
 * largest value), so f32 results agree bit for bit.
 *
 * Inputs beyond what one shader may bind (maxStorageBuffersPerShaderStage, counting chunks and
 * the output) are folded over several dispatches: each adds its group of inputs to an f32 scratch
 * accumulator (the partial result is an f32, so continuing from it is the same arithmetic), and
 * the last one applies the epilogue and stores the output.
 */
export type Fold = 'add' | 'sum' | 'prod' | 'max';

interface FoldSpec {
  fold: Fold;
  /** f32 coefficients of `sum` (all 1 when absent). */
  coeffs?: number[];
}

export function eltwiseFold(req: KernelRequest): FoldSpec {
  const attrs = req.attrs as Attrs;
  const fold = stringAttr<'sum' | 'prod' | 'max'>(attrs, 'operation', 'sum', ['sum', 'prod', 'max']);
  return { fold, coeffs: fold === 'sum' ? optionalFloatsAttr(attrs, 'coeffs') : undefined };
}

/** Lines that start or continue the accumulator `lpc_acc` with input k's value. */
function foldLines(spec: FoldSpec, k: number, value: Expr<'f32'>, coeff: Expr<'f32'> | undefined, first: boolean): string[] {
  const v = coeff ? `(${coeff} * ${value})` : `${value}`;
  if (first) return [`var lpc_acc = ${v};`];
  switch (spec.fold) {
    case 'add':
    case 'sum':
      return [`lpc_acc = lpc_acc + ${v};`];
    case 'prod':
      return [`lpc_acc = lpc_acc * ${v};`];
    case 'max':
      // the first maximum wins, as the reference's strict `>`
      return [`let lpc_v${k} = ${v};`, `if (lpc_v${k} > lpc_acc) { lpc_acc = lpc_v${k}; }`];
  }
}

/** Splits the inputs into groups whose bindings fit one shader beside the output and the scratch accumulator. */
function groupInputs(req: KernelRequest): number[][] {
  const max = req.capabilities.maxStorageBuffersPerShaderStage;
  const all = req.inputs.reduce((a, t) => a + bindingCount(t), 0) + bindingCount(req.output);
  if (all <= max) return [req.inputs.map((_, k) => k)];
  const budget = max - bindingCount(req.output) - 1;
  const groups: number[][] = [[]];
  let used = 0;
  req.inputs.forEach((t, k) => {
    const n = bindingCount(t);
    if (n > budget) throw new Error(`input ${k} of '${req.node}' needs ${n} chunk bindings; a shader may bind ${max}`);
    if (used + n > budget) {
      groups.push([]);
      used = 0;
    }
    groups[groups.length - 1].push(k);
    used += n;
  });
  return groups;
}

/** The coefficient uniform of input k (sum with coeffs): fround(c_k), as the reference uses. */
function coeffOf(spec: FoldSpec, k: number, uniform: (name: string, v: number) => Expr<'f32'>): Expr<'f32'> | undefined {
  return spec.coeffs ? uniform(`elt_c${k}`, spec.coeffs[k]) : undefined;
}

export function eltwiseForward(req: KernelRequest, spec: FoldSpec, what: string): KernelDispatch[] {
  const groups = groupInputs(req);
  const acc = scratchId(req, 'acc');
  const n = elementCount(req.output.shape);
  const out: KernelDispatch[] = [];
  groups.forEach((group, g) => {
    const last = g === groups.length - 1;
    if (!last) {
      out.push(partialDispatch(req, spec, group, g === 0, acc, n, what));
      return;
    }
    const k = new ElementKernel(req, what);
    const accBuf = g > 0 ? k.scratchBuffer('acc', acc, 'read', 4 * n) : undefined;
    const xs = group.map((j) => [j, k.input(`x${j}`, req.inputs[j])] as const);
    const uniform = (name: string, v: number) => k.uniform(name, 'f32', v);
    out.push(
      k.finish((i) => {
        const lines: string[] = accBuf ? [`var lpc_acc = ${accBuf}[${i}];`] : [];
        xs.forEach(([j, x], pos) => lines.push(...foldLines(spec, j, x.loadValue(i), coeffOf(spec, j, uniform), !accBuf && pos === 0)));
        return { lines, value: wgsl('f32', 'lpc_acc') };
      }),
    );
  });
  return out;
}

/** A dispatch that folds a group of inputs into the f32 scratch accumulator (no epilogue, no output). */
function partialDispatch(req: KernelRequest, spec: FoldSpec, group: number[], first: boolean, acc: string, n: number, what: string): KernelDispatch {
  const b = new ShaderBuilder({ capabilities: req.capabilities, workgroupSize: ELEMENT_WORKGROUP });
  const accBuf = b.storageBuffer('acc', 'f32', 'read_write');
  const bindings: KernelBinding[] = [{ name: accBuf, tensor: acc }];
  const pairs: [TensorAccessor, KernelTensor][] = [];
  const values: Record<string, number> = {};
  const uniform = (name: string, v: number) => {
    values[name] = v;
    return b.uniform(name, 'f32');
  };
  const count = b.uniform('elt_n', 'u32');
  values.elt_n = n;
  const i = wgsl('u32', 'lpc_i');
  const lines: string[] = [`let lpc_i = ${b.globalIndex()};`, `if (lpc_i >= ${count}) { return; }`];
  if (!first) lines.push(`var lpc_acc = ${accBuf}[lpc_i];`);
  group.forEach((j, pos) => {
    const x = flatAccessor(b, `x${j}`, req.inputs[j], 'read');
    pairs.push([x, req.inputs[j]]);
    bindings.push(...tensorBindingsOf(x, req.inputs[j]));
    lines.push(...foldLines(spec, j, x.loadValue(i), coeffOf(spec, j, uniform), first && pos === 0));
  });
  lines.push(`${accBuf}[lpc_i] = lpc_acc;`);
  const shader = b.main(lines).build();
  return {
    label: `${req.node} (${what}, inputs ${group[0]}..${group[group.length - 1]})`,
    shader,
    workgroups: gridFor(n, ELEMENT_WORKGROUP, req.capabilities.maxComputeWorkgroupsPerDimension),
    uniforms: { ...flatUniforms(pairs), ...values },
    bindings,
    scratch: [{ id: acc, bytes: 4 * n }],
  };
}
