/**
 * Stand-in kernels for planner and executor tests: `zeroKernel` binds every tensor of its request
 * with the accessors real kernels use and writes zeros, which is all the planner checks (bindings,
 * uniforms, grid); `lookupWith` is the op registry with some ops' WGSL facets replaced.
 */
import { wgsl } from '../../../src/codegen/wgsl/lib/expr.js';
import type { KernelDispatch, KernelRequest } from '../../../src/codegen/wgsl/lib/kernel.js';
import { gridFor, ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { TensorAccessor } from '../../../src/codegen/wgsl/lib/tensor-accessor.js';
import type { OpLookup } from '../../../src/codegen/wgsl/program.js';
import type { OpDef } from '../../../src/ops/op-def.js';
import { getOp } from '../../../src/ops/registry.js';

/**
 * A kernel that binds every tensor of its request with the accessors the real kernels use and
 * writes zeros: enough for the planner, which checks bindings and uniforms, not arithmetic.
 */
export function zeroKernel(req: KernelRequest): KernelDispatch[] {
  const b = new ShaderBuilder({ capabilities: req.capabilities, workgroupSize: 64 });
  const bindings: KernelDispatch['bindings'] = [];
  const declare = (name: string, t: KernelRequest['output'], access: 'read' | 'read_write') => {
    const acc = new TensorAccessor(b, { name, type: t.type, shape: t.shape, access, chunking: t.chunking });
    acc.bindings.forEach((binding, c) => bindings.push(t.chunking ? { name: binding, tensor: t.id, chunk: c } : { name: binding, tensor: t.id }));
    return acc;
  };
  [...req.inputs, ...req.params].forEach((t, k) => declare(`in${k}`, t, 'read'));
  const y = declare('y', req.output, 'read_write');
  const store =
    y.type.kind === 'f32'
      ? y.storeValue(wgsl('u32', 'w'), 0)
      : y.lanes === 4
        ? y.storeCodes(wgsl('u32', 'w'), wgsl('vec4<i32>', 'vec4<i32>(0i)'))
        : y.lanes === 2
          ? y.storeCodes(wgsl('u32', 'w'), wgsl('vec2<i32>', 'vec2<i32>(0i)'))
          : y.storeCodes(wgsl('u32', 'w'), wgsl('i32', '0i'));
  const shader = b.main([`let w = ${b.globalIndex()};`, `if (w >= ${y.wordCount()}) { return; }`, store]).build();
  const words = Math.ceil(req.output.shape.reduce((a, d) => a * d, 1) / y.lanes);
  return [{ label: `${req.node} (zero)`, shader, workgroups: gridFor(words, 64, 65535), uniforms: {}, bindings }];
}

/** The registry, with `overrides` replacing the WGSL facet of some ops (undefined: no kernel). */
export function lookupWith(overrides: Record<string, OpDef['wgsl'] | undefined>, seen?: KernelRequest[]): OpLookup {
  return (name) => {
    const op = getOp(name);
    if (!op || !(name in overrides)) return op;
    const facet = overrides[name];
    if (!facet) return { ...op, wgsl: undefined };
    return {
      ...op,
      wgsl: {
        ...facet,
        forward(req) {
          seen?.push(req);
          return facet.forward(req);
        },
      },
    };
  };
}

