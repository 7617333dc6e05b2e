import type { Attrs } from '../ir/graph.js';
import { sameNumberType } from '../numeric/number-type.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelDispatch, KernelRequest } from '../codegen/wgsl/lib/kernel.js';
import { ElementKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import type { OpElement } from '../codegen/wgsl/lib/templates/element-result.js';
import { bindingCount } from '../codegen/wgsl/lib/templates/kernel-io.js';
import { intAttr } from './attrs.js';
import { canonicalAxis, splitAtAxis } from './shape-util.js';

/**
 * The WGSL forward of concat: output element (o, d, i) around the axis copies element
 * (o, d - start_k, i) of the input k whose slice [start_k, start_k + dim_k) holds d. Inputs of one
 * fixed-point (or i32) type are copied as codes, exact at every width; mixed types go through
 * their f32 values, as the reference's f32 output does.
 *
 * More inputs than one shader may bind are copied by several dispatches, each owning the
 * contiguous axis range of its group of inputs. A packed word can hold elements of two groups, so
 * a dispatch writes whole words and keeps the lanes it does not own as they are in the output:
 * dispatches run in order, and every lane is written by the one that owns it.
 */
function groupsOf(req: KernelRequest): number[][] {
  const budget = req.capabilities.maxStorageBuffersPerShaderStage - bindingCount(req.output);
  const groups: number[][] = [[]];
  let used = 0;
  req.inputs.forEach((t, k) => {
    const n = bindingCount(t);
    if (n > budget) throw new Error(`input ${k} of '${req.node}' needs ${n} chunk bindings; a shader may bind ${budget} beside the output`);
    if (used + n > budget) {
      groups.push([]);
      used = 0;
    }
    groups[groups.length - 1].push(k);
    used += n;
  });
  return groups;
}

export function concatForward(req: KernelRequest): KernelDispatch[] {
  const shape = req.output.shape;
  const axis = canonicalAxis(intAttr(req.attrs as Attrs, 'axis', 1), shape.length);
  // the shape rule accepted this node before any backend runs; failing here is a caller bug
  if (axis === undefined) throw new Error(`concat '${req.node}': axis out of range for [${shape.join(', ')}]`);
  const { dim, inner } = splitAtAxis(shape, axis);
  const starts: number[] = [];
  let at = 0;
  for (const t of req.inputs) {
    starts.push(at);
    at += t.shape[axis];
  }
  const t0 = req.inputs[0].type;
  // one fixed-point or i32 type for every input: copy codes
  const codeType = t0.kind !== 'f32' && req.inputs.every((t) => sameNumberType(t.type, t0)) ? t0 : undefined;
  const codes = codeType !== undefined;
  const groups = groupsOf(req);
  return groups.map((group) => {
    const k = new ElementKernel(req, groups.length > 1 ? `concat, inputs ${group[0]}..${group[group.length - 1]}` : 'concat');
    const catDim = k.uniform('cat_dim', 'u32', dim);
    const catInner = k.uniform('cat_inner', 'u32', inner);
    const xs = group.map((j) => ({
      x: k.input(`x${j}`, req.inputs[j]),
      start: k.uniform(`cat_start${j}`, 'u32', starts[j]),
      size: k.uniform(`cat_size${j}`, 'u32', req.inputs[j].shape[axis]),
    }));
    const first = group[0];
    const end = group[group.length - 1];
    const lo = k.uniform('cat_lo', 'u32', starts[first]);
    const hi = k.uniform('cat_hi', 'u32', starts[end] + req.inputs[end].shape[axis]);
    const axisIndex = (i: string) => `((${i} / ${catInner}) % ${catDim})`;
    return k.finish(
      (i): OpElement => {
        const lines = [`let lpc_o = ${i} / (${catDim} * ${catInner});`, `let lpc_d = ${axisIndex(`${i}`)};`, `let lpc_in = ${i} % ${catInner};`];
        lines.push(codes ? 'var lpc_k = 0i;' : 'var lpc_v = 0.0;');
        xs.forEach(({ x, start, size }, n) => {
          const src = wgsl('u32', `(lpc_o * ${size} + (lpc_d - ${start})) * ${catInner} + lpc_in`);
          const load = codes ? `lpc_k = ${x.loadCode(src)};` : `lpc_v = ${x.loadValue(src)};`;
          const test = n === xs.length - 1 ? '' : `if (lpc_d < ${start} + ${size}) `;
          lines.push(`${n === 0 ? '' : 'else '}${test}{ ${load} }`);
        });
        return codeType ? { lines, code: wgsl('i32', 'lpc_k'), type: codeType } : { lines, value: wgsl('f32', 'lpc_v') };
      },
      groups.length > 1 ? { owns: (i) => wgsl('bool', `(${axisIndex(`${i}`)} >= ${lo} && ${axisIndex(`${i}`)} < ${hi})`) } : {},
    );
  });
}
