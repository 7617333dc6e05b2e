import { KernelParts } from './kernel-parts.js';
import { wgsl, type Expr } from '../expr.js';
import { helper } from '../helper.js';
import type { KernelDispatch, KernelRequest, KernelRng } from '../kernel.js';
import { gridFor, ShaderBuilder } from '../shader-builder.js';
import type { TensorAccessor } from '../tensor-accessor.js';
import { finishElement, resultType, type OpElement } from './element-result.js';
import { elementCount } from './kernel-io.js';

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

export class ElementKernel extends KernelParts {
  constructor(
    readonly req: KernelRequest,
    readonly what: string,
    workgroupSize = ELEMENT_WORKGROUP,
  ) {
    super(req.capabilities, workgroupSize);
  }

  /** Builds the kernel: the element function, the per-word main, and the dispatch. */
  finish(element: (i: Expr<'u32'>) => OpElement, opts: FinishOptions = {}): KernelDispatch {
    const { b, req } = this;
    const out = this.input('y', req.output, 'read_write');
    const fn = elementFunction(b, req, element(wgsl('u32', 'lpc_i')), this.rng);
    const rt = resultType(req.output.type);
    const lanes = out.lanes;
    const body = [`let lpc_w = ${b.globalIndex()};`, `if (lpc_w >= ${out.wordCount()}) { return; }`];
    if (lanes === 1) {
      const i = wgsl('u32', 'lpc_w');
      if (opts.owns) body.push(`if (!(${opts.owns(i)})) { return; }`);
      body.push(`let lpc_r0 = ${fn}(lpc_w);`, storeLanes(out, i, ['lpc_r0']));
    } else {
      // A loop over the lanes rather than unrolled copies of the element: lavapipe compiles the
      // shader several times faster, and the lanes of a word rarely take different paths.
      // Lanes past the end are padding: not computed (each element is evaluated once), stored as 0.
      const i = wgsl('u32', 'lpc_i');
      body.push(`let lpc_n = ${out.length()};`, `var lpc_r: array<${rt}, ${lanes}>;`);
      if (opts.owns) body.push('var lpc_any = false;');
      body.push(`for (var lpc_k = 0u; lpc_k < ${lanes}u; lpc_k++) {`, `  let lpc_i = lpc_w * ${lanes}u + lpc_k;`, '  if (lpc_i >= lpc_n) { break; }');
      if (opts.owns) {
        // lanes owned by other dispatches keep the output's current code
        body.push(`  if (${opts.owns(i)}) { lpc_r[lpc_k] = ${fn}(lpc_i); lpc_any = true; } else { lpc_r[lpc_k] = ${out.loadCode(i)}; }`);
      } else {
        body.push(`  lpc_r[lpc_k] = ${fn}(lpc_i);`);
      }
      body.push('}');
      if (opts.owns) body.push('if (!lpc_any) { return; }');
      body.push(storeLanes(out, wgsl('u32', 'lpc_w'), Array.from({ length: lanes }, (_, k) => `lpc_r[${k}]`)));
    }
    const shader = b.main(body).build();
    const words = Math.ceil(elementCount(req.output.shape) / lanes);
    return this.dispatchOf(`${req.node} (${this.what})`, shader, gridFor(words, b.workgroupSize[0], req.capabilities.maxComputeWorkgroupsPerDimension));
  }
}

/**
 * Declares `fn lpc_element(lpc_i: u32<extra params>) -> f32 | i32`: the op's element (built for the
 * flat output index `lpc_i`), its epilogue and the conversion to the output type. `params` adds
 * parameters after lpc_i (`, lpc_st: vec2<f32>`) for values main computes once for many lanes.
 */
export function elementFunction(b: ShaderBuilder, req: KernelRequest, own: OpElement, rng: KernelRng[], params = ''): string {
  const done = finishElement(b, req, own, wgsl('u32', 'lpc_i'), rng);
  const rt = resultType(req.output.type);
  const lines = [`fn lpc_element(lpc_i: u32${params}) -> ${rt} {`, ...done.lines.map((l) => `  ${l}`), `  return ${done.result};`, '}'];
  return b.use(helper('lpc_element', lines.join('\n')));
}

/**
 * Statement: stores word `w` of the output from its lanes' finished results (names of f32 values
 * for an f32 output, of codes otherwise; one name per lane, padding lanes included).
 */
export function storeLanes(out: TensorAccessor, w: Expr<'u32'>, lanes: readonly string[]): string {
  if (lanes.length !== out.lanes) throw new Error(`output '${out.name}' has ${out.lanes} lanes per word, got ${lanes.length} results`);
  if (out.type.kind === 'f32') return out.storeValue(w, wgsl('f32', lanes[0]));
  if (lanes.length === 1) return out.storeCodes(w, wgsl('i32', lanes[0]));
  if (lanes.length === 2) return out.storeCodes(w, wgsl('vec2<i32>', `vec2<i32>(${lanes.join(', ')})`));
  return out.storeCodes(w, wgsl('vec4<i32>', `vec4<i32>(${lanes.join(', ')})`));
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

/**
 * Element i of a tensor as the op's result, unchanged: its code for fixed-point and i32 tensors
 * (exact at every width, and stored as it is when the output has the same type), else its value.
 */
export function loadElement(x: TensorAccessor, i: Expr<'u32'>): OpElement {
  const t = x.type;
  return t.kind === 'f32' ? { value: x.loadValue(i) } : { code: x.loadCode(i), type: t };
}
