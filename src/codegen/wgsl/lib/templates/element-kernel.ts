import { wgsl, type Expr } from '../expr.js';
import { helper } from '../helper.js';
import type { KernelBinding, KernelDispatch, KernelRequest, KernelRng, KernelTensor } from '../kernel.js';
import { gridFor, ShaderBuilder, type StorageAccess } from '../shader-builder.js';
import type { TensorAccessor } from '../tensor-accessor.js';
import { finishElement, resultType, type OpElement } from './element-result.js';
import { elementCount, flatAccessor, flatUniforms, tensorBindingsOf } from './kernel-io.js';

/**
 * The kernel shape most ops share: every output element is a function of the inputs alone (maps,
 * copies, pooling windows, normalisations with precomputed statistics). One invocation per output
 * storage word computes every lane of its word, so packed outputs are written whole (4 codes per
 * invocation at 8 bits, 2 at 16); each lane runs the op's element function, then the request's
 * epilogue and the conversion to the output type (element-result.ts).
 *
 * Usage, from an op's `wgsl.forward`:
 *
 *   const k = new ElementKernel(req, 'max_pool');
 *   const x = k.input('x', req.inputs[0]);
 *   const kh = k.uniform('pool_kh', 'u32', 3);
 *   return [k.finish((i) => ({ lines: [...], code: ..., type: ... }))];
 *
 * The element function receives the flat output index as `lpc_i` and is emitted once, as the
 * module-scope function `lpc_element`, which main calls per lane; its lines may declare anything.
 */
export const ELEMENT_WORKGROUP = 64;

export interface FinishOptions {
  /**
   * Lanes this dispatch computes (a concat split over several dispatches): other lanes keep the
   * output's current contents, and a word with no owned lane is not written. Absent: every lane.
   */
  owns?: (i: Expr<'u32'>) => Expr<'bool'>;
}

export class ElementKernel {
  readonly b: ShaderBuilder;
  readonly rng: KernelRng[] = [];
  readonly bindings: KernelBinding[] = [];
  private readonly flat: [TensorAccessor, KernelTensor][] = [];
  private readonly values: Record<string, number> = {};
  private readonly scratch: { id: string; bytes: number }[] = [];

  constructor(
    readonly req: KernelRequest,
    readonly what: string,
    workgroupSize = ELEMENT_WORKGROUP,
  ) {
    this.b = new ShaderBuilder({ capabilities: req.capabilities, workgroupSize });
  }

  /** A tensor read (or written) by flat offset; its bindings and length uniform are recorded. */
  input(name: string, t: KernelTensor, access: StorageAccess = 'read'): TensorAccessor {
    const acc = flatAccessor(this.b, name, t, access);
    this.flat.push([acc, t]);
    this.bindings.push(...tensorBindingsOf(acc, t));
    return acc;
  }

  /** A raw f32 storage buffer bound to scratch `id` (statistics computed by an earlier dispatch). */
  scratchBuffer(name: string, id: string, access: StorageAccess, bytes?: number): string {
    const binding = this.b.storageBuffer(name, 'f32', access);
    this.bindings.push({ name: binding, tensor: id });
    if (bytes !== undefined) this.scratch.push({ id, bytes });
    return binding;
  }

  /** A uniform field with its value for this dispatch. */
  uniform<T extends 'u32' | 'i32' | 'f32'>(name: string, type: T, value: number): Expr<T> {
    const e = this.b.uniform(name, type);
    this.values[e.code.replace(/^lpc_u\./, '')] = value;
    return e;
  }

  /** Builds the kernel: the element function, the per-word main, and the dispatch. */
  finish(element: (i: Expr<'u32'>) => OpElement, opts: FinishOptions = {}): KernelDispatch {
    const { b, req } = this;
    const out = this.input('y', req.output, 'read_write');
    const i = wgsl('u32', 'lpc_i');
    const own = element(i);
    const done = finishElement(b, req, own, i, this.rng);
    const rt = resultType(req.output.type);
    const fn = b.use(
      helper('lpc_element', [`fn lpc_element(lpc_i: u32) -> ${rt} {`, ...done.lines.map((l) => `  ${l}`), `  return ${done.result};`, '}'].join('\n')),
    );
    const lanes = out.lanes;
    const body = [`let lpc_w = ${b.globalIndex()};`, `if (lpc_w >= ${out.wordCount()}) { return; }`];
    if (lanes > 1) body.push(`let lpc_last = ${out.length()} - 1u;`);
    const laneIndex = (k: number) => (lanes === 1 ? wgsl('u32', 'lpc_w') : wgsl('u32', `lpc_i${k}`));
    for (let k = 0; k < lanes; k++) {
      if (lanes > 1) body.push(`let lpc_i${k} = min(lpc_w * ${lanes}u + ${k}u, lpc_last);`);
    }
    if (opts.owns) {
      const owned = Array.from({ length: lanes }, (_, k) => `lpc_own${k}`);
      for (let k = 0; k < lanes; k++) body.push(`let lpc_own${k} = ${opts.owns(laneIndex(k))};`);
      body.push(`if (!(${owned.join(' || ')})) { return; }`);
      for (let k = 0; k < lanes; k++) {
        const keep = rt === 'f32' ? undefined : out.loadCode(laneIndex(k));
        body.push(`var lpc_r${k}: ${rt};`);
        body.push(`if (lpc_own${k}) { lpc_r${k} = ${fn}(${laneIndex(k)}); }${keep ? ` else { lpc_r${k} = ${keep}; }` : ''}`);
      }
    } else {
      for (let k = 0; k < lanes; k++) body.push(`let lpc_r${k} = ${fn}(${laneIndex(k)});`);
    }
    if (rt === 'f32') {
      const store = out.storeValue(wgsl('u32', 'lpc_w'), wgsl('f32', 'lpc_r0'));
      body.push(opts.owns ? `if (lpc_own0) { ${store} }` : store);
    } else if (lanes === 1) {
      body.push(out.storeCodes(wgsl('u32', 'lpc_w'), wgsl('i32', 'lpc_r0')));
    } else if (lanes === 2) {
      body.push(out.storeCodes(wgsl('u32', 'lpc_w'), wgsl('vec2<i32>', 'vec2<i32>(lpc_r0, lpc_r1)')));
    } else {
      body.push(out.storeCodes(wgsl('u32', 'lpc_w'), wgsl('vec4<i32>', 'vec4<i32>(lpc_r0, lpc_r1, lpc_r2, lpc_r3)')));
    }
    const shader = b.main(body).build();
    const words = Math.ceil(elementCount(req.output.shape) / lanes);
    return {
      label: `${req.node} (${this.what})`,
      shader,
      workgroups: gridFor(words, b.workgroupSize[0], req.capabilities.maxComputeWorkgroupsPerDimension),
      uniforms: { ...flatUniforms(this.flat), ...this.values },
      bindings: this.bindings,
      ...(this.scratch.length > 0 ? { scratch: this.scratch } : {}),
      ...(this.rng.length > 0 ? { rng: this.rng } : {}),
    };
  }
}

/**
 * A one-input map (relu, tanh, sigmoid, quantize, copies): the output element i is `element` of
 * input element i.
 */
export function mapKernel(req: KernelRequest, what: string, element: (k: ElementKernel, x: TensorAccessor, i: Expr<'u32'>) => OpElement): KernelDispatch {
  const k = new ElementKernel(req, what);
  const x = k.input('x', req.inputs[0]);
  return k.finish((i) => element(k, x, i));
}
