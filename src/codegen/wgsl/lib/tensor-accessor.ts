import type { NumberType } from '../../../numeric/number-type.js';
import { Expr, asF32, asI32, asU32, identifier, pow2F32, u32Lit, wgsl, type F32Like, type I32Like, type U32Like } from './expr.js';
import { helper, type WgslHelper } from './helper.js';
import { storageLayout, type StorageLayout } from './packing.js';
import type { ShaderBuilder, StorageAccess } from './shader-builder.js';

/**
 * A tensor as a kernel sees it: its storage binding(s), shape and strides (constants when the
 * shape is static, uniform fields when only the rank is known, so one pipeline serves every
 * shape), its number type and packing (packing.ts). Every method returns a typed expression or a
 * statement and registers the small helper functions it relies on, so a kernel's WGSL contains
 * only the accessors it used.
 *
 * Packed stores write whole u32 words: a kernel that produces a packed tensor computes all the
 * lanes of a word in one invocation (4 outputs per invocation at 8 bits, 2 at 16) and calls
 * storeCodes(). There is deliberately no single-element packed store: two invocations writing
 * lanes of one word would race (a read-modify-write), and atomics would serialise them.
 *
 * Chunked tensors (larger than maxStorageBufferBindingSize) are declared as several bindings of
 * `chunkElements` elements each; every load and store picks the chunk from the element index.
 */
export interface TensorSpec {
  /** Name of the tensor (any text; it is turned into a WGSL identifier prefix). */
  name: string;
  type: NumberType;
  /** The static shape, or only its rank (sizes, strides and length then come from uniforms). */
  shape: readonly number[] | { rank: number };
  access: StorageAccess;
  /** Split over `chunks` bindings of `chunkElements` elements (a multiple of the lanes per word). */
  chunking?: { chunks: number; chunkElements: number };
}

export class TensorAccessor {
  readonly name: string;
  readonly type: NumberType;
  readonly layout: StorageLayout;
  readonly rank: number;
  /** WGSL names of the storage bindings, in binding order (one per chunk). */
  readonly bindings: readonly string[];
  readonly staticShape: readonly number[] | undefined;
  readonly chunking: { chunks: number; chunkElements: number } | undefined;

  constructor(
    private readonly b: ShaderBuilder,
    spec: TensorSpec,
  ) {
    this.name = identifier(spec.name);
    this.type = spec.type;
    this.layout = storageLayout(spec.type);
    this.staticShape = Array.isArray(spec.shape) ? [...(spec.shape as readonly number[])] : undefined;
    this.rank = this.staticShape ? this.staticShape.length : (spec.shape as { rank: number }).rank;
    if (this.staticShape?.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`tensor '${spec.name}': bad shape [${this.staticShape.join(', ')}]`);
    this.chunking = spec.chunking;
    if (spec.chunking) {
      const { chunks, chunkElements } = spec.chunking;
      if (!Number.isInteger(chunks) || chunks < 1) throw new Error(`tensor '${spec.name}': chunk count must be a positive integer`);
      if (!Number.isInteger(chunkElements) || chunkElements < 1 || chunkElements % this.layout.lanes !== 0) {
        throw new Error(`tensor '${spec.name}': chunkElements ${chunkElements} must be a positive multiple of ${this.layout.lanes} (codes per word)`);
      }
      this.bindings = Array.from({ length: chunks }, (_, c) => b.storageBuffer(`${this.name}_c${c}`, this.layout.element, spec.access));
    } else {
      this.bindings = [b.storageBuffer(this.name, this.layout.element, spec.access)];
    }
  }

  /** Codes (or f32 values) per 32-bit word: 4, 2 or 1. */
  get lanes(): 1 | 2 | 4 {
    return this.layout.lanes;
  }

  /** Number of elements. */
  length(): Expr<'u32'> {
    if (this.staticShape) return u32Lit(this.staticShape.reduce((a, d) => a * d, 1));
    return this.b.uniform(`${this.name}_len`, 'u32');
  }

  /** Number of 32-bit words of storage. */
  wordCount(): Expr<'u32'> {
    if (this.staticShape) return u32Lit(Math.ceil(this.staticShape.reduce((a, d) => a * d, 1) / this.lanes));
    if (this.lanes === 1) return this.length();
    return wgsl('u32', `((${this.length()} + ${this.lanes - 1}u) / ${this.lanes}u)`);
  }

  /** Size of dimension d. */
  dim(d: number): Expr<'u32'> {
    this.checkAxis(d);
    if (this.staticShape) return u32Lit(this.staticShape[d]);
    return this.b.uniform(`${this.name}_d${d}`, 'u32');
  }

  /** Stride of dimension d, in elements (row-major when static). */
  stride(d: number): Expr<'u32'> {
    this.checkAxis(d);
    if (this.staticShape) return u32Lit(this.staticShape.slice(d + 1).reduce((a, x) => a * x, 1));
    return this.b.uniform(`${this.name}_s${d}`, 'u32');
  }

  /**
   * The uniform values this accessor reads when its shape is dynamic (only those it declared are
   * returned, so they can be merged into the kernel's uniform record as they are).
   */
  uniformValues(shape: readonly number[], strides?: readonly number[]): Record<string, number> {
    if (shape.length !== this.rank) throw new Error(`tensor '${this.name}' has rank ${this.rank}, got shape [${shape.join(', ')}]`);
    const st = strides ?? shape.map((_, d) => shape.slice(d + 1).reduce((a, x) => a * x, 1));
    const out: Record<string, number> = {};
    const fields = new Set(this.b.uniformNames());
    const put = (k: string, v: number) => {
      if (fields.has(k)) out[k] = v;
    };
    put(`${this.name}_len`, shape.reduce((a, d) => a * d, 1));
    shape.forEach((d, k) => {
      put(`${this.name}_d${k}`, d);
      put(`${this.name}_s${k}`, st[k]);
    });
    return out;
  }

  /** Flat element offset of an index tuple (one index per dimension). */
  offset(indices: readonly U32Like[]): Expr<'u32'> {
    if (indices.length !== this.rank) throw new Error(`tensor '${this.name}' has rank ${this.rank}, got ${indices.length} indices`);
    const params = indices.map((_, d) => `lpc_i${d}: u32`).join(', ');
    const terms = indices.map((_, d) => `lpc_i${d} * ${this.stride(d)}`).join(' + ') || '0u';
    const fn = this.b.use(helper(`${this.name}_offset`, `fn ${this.name}_offset(${params}) -> u32 {\n  return ${terms};\n}`));
    return wgsl('u32', `${fn}(${indices.map((i) => asU32(i).code).join(', ')})`);
  }

  /** The index tuple of logical (row-major) element `flat`: the inverse of offset() for a contiguous tensor. */
  indicesOf(flat: U32Like): Expr<`array<u32, ${number}>`> {
    const r = this.rank;
    const lines = [`fn ${this.name}_indices(lpc_flat: u32) -> array<u32, ${r}> {`, `  var lpc_out: array<u32, ${r}>;`, '  var lpc_rest = lpc_flat;'];
    for (let d = r - 1; d > 0; d--) lines.push(`  lpc_out[${d}] = lpc_rest % ${this.dim(d)};`, `  lpc_rest = lpc_rest / ${this.dim(d)};`);
    if (r > 0) lines.push('  lpc_out[0] = lpc_rest;');
    lines.push('  return lpc_out;', '}');
    const fn = this.b.use(helper(`${this.name}_indices`, lines.join('\n')));
    return wgsl(`array<u32, ${r}>`, `${fn}(${asU32(flat)})`);
  }

  /** The raw 32-bit storage word `w` (packed tensors: 4 or 2 codes; others: the element's bits). */
  word(w: U32Like): Expr<'u32'> {
    const raw = this.elementHelper();
    const e = `${raw}(${asU32(w)})`;
    return wgsl('u32', this.layout.element === 'u32' ? e : `bitcast<u32>(${e})`);
  }

  /** The integer code of element i (fixed-point and i32 tensors). */
  loadCode(i: U32Like): Expr<'i32'> {
    if (!this.layout.integer) throw new Error(`tensor '${this.name}' holds f32 values, not codes`);
    return wgsl('i32', `${this.b.use(this.codeHelper())}(${asU32(i)})`);
  }

  /** The real value of element i as f32: the f32 itself, or code * 2^-F (exact for W <= 24). */
  loadValue(i: U32Like): Expr<'f32'> {
    const t = this.type;
    if (t.kind === 'f32') return wgsl('f32', `${this.elementHelper()}(${asU32(i)})`);
    const code = this.b.use(this.codeHelper());
    const scale = t.kind === 'fixed' && t.fracBits > 0 ? ` * ${pow2F32(-t.fracBits)}` : '';
    const fn = this.b.use(helper(`${this.name}_value`, `fn ${this.name}_value(lpc_i: u32) -> f32 {\n  return f32(${code}(lpc_i))${scale};\n}`));
    return wgsl('f32', `${fn}(${asU32(i)})`);
  }

  loadCodeAt(indices: readonly U32Like[]): Expr<'i32'> {
    return this.loadCode(this.offset(indices));
  }

  loadValueAt(indices: readonly U32Like[]): Expr<'f32'> {
    return this.loadValue(this.offset(indices));
  }

  /** Statement: store an f32 value at element i (f32 tensors only). */
  storeValue(i: U32Like, v: F32Like): string {
    if (this.type.kind !== 'f32') throw new Error(`tensor '${this.name}' is ${this.type.kind}: quantize to a code and use storeCode/storeCodes`);
    return `${this.setHelper()}(${asU32(i)}, ${asF32(v)});`;
  }

  /** Statement: store the code of element i (one code per word: i32 tensors and fixed types wider than 16 bits). */
  storeCode(i: U32Like, k: I32Like): string {
    if (!this.layout.integer || this.lanes !== 1) {
      throw new Error(`tensor '${this.name}' packs ${this.lanes} codes per word: write whole words with storeCodes()`);
    }
    return `${this.setHelper()}(${asU32(i)}, ${asI32(k)});`;
  }

  /**
   * Statement: write word `w` whole, from the codes of its lanes (vec4<i32> at 8 bits, vec2<i32>
   * at 16, i32 at 32). Lanes past the last element are written as 0, so a tensor's padding is the
   * same whatever the kernel computed there.
   */
  storeCodes(w: U32Like, codes: Expr<'vec4<i32>'> | Expr<'vec2<i32>'> | Expr<'i32'>): string {
    if (!this.layout.integer) throw new Error(`tensor '${this.name}' holds f32 values, not codes`);
    const want = this.lanes === 4 ? 'vec4<i32>' : this.lanes === 2 ? 'vec2<i32>' : 'i32';
    if (codes.type !== want) throw new Error(`tensor '${this.name}' packs ${this.lanes} codes per word: storeCodes needs ${want}, got ${codes.type}`);
    if (this.lanes === 1) return this.storeCode(w, codes as Expr<'i32'>);
    const pack = this.b.use(this.lanes === 4 ? PACK_4X8 : PACK_2X16);
    const set = this.setHelper();
    const lanes = this.lanes;
    const laneIds = lanes === 4 ? 'vec4<u32>(0u, 1u, 2u, 3u)' : 'vec2<u32>(0u, 1u)';
    const fn = this.b.use(
      helper(
        `${this.name}_store_word`,
        [
          `fn ${this.name}_store_word(lpc_w: u32, lpc_k: ${want}) {`,
          `  // lanes at or past the tensor's length are padding and stored as 0`,
          `  let lpc_live = vec${lanes}<u32>(lpc_w * ${lanes}u) + ${laneIds} < vec${lanes}<u32>(${this.length()});`,
          `  ${set}(lpc_w, ${pack}(select(${want}(0i), lpc_k, lpc_live)));`,
          `}`,
        ].join('\n'),
      ),
    );
    return `${fn}(${asU32(w)}, ${codes});`;
  }

  /** Reads storage element (word) i of the underlying array(s), choosing the chunk. */
  private elementHelper(): string {
    const el = this.layout.element;
    const name = `${this.name}_at`;
    if (!this.chunking) {
      return this.b.use(helper(name, `fn ${name}(lpc_i: u32) -> ${el} {\n  return ${this.bindings[0]}[lpc_i];\n}`));
    }
    const per = this.chunking.chunkElements / this.lanes;
    const lines = [`fn ${name}(lpc_i: u32) -> ${el} {`, `  let lpc_c = lpc_i / ${per}u;`, `  let lpc_o = lpc_i - lpc_c * ${per}u;`];
    this.bindings.forEach((bind, c) => {
      if (c < this.bindings.length - 1) lines.push(`  if (lpc_c == ${c}u) { return ${bind}[lpc_o]; }`);
      else lines.push(`  return ${bind}[lpc_o];`);
    });
    lines.push('}');
    return this.b.use(helper(name, lines.join('\n')));
  }

  /** Writes storage element (word) i, choosing the chunk. */
  private setHelper(): string {
    const el = this.layout.element;
    const name = `${this.name}_set`;
    if (!this.chunking) {
      return this.b.use(helper(name, `fn ${name}(lpc_i: u32, lpc_v: ${el}) {\n  ${this.bindings[0]}[lpc_i] = lpc_v;\n}`));
    }
    const per = this.chunking.chunkElements / this.lanes;
    const lines = [`fn ${name}(lpc_i: u32, lpc_v: ${el}) {`, `  let lpc_c = lpc_i / ${per}u;`, `  let lpc_o = lpc_i - lpc_c * ${per}u;`];
    this.bindings.forEach((bind, c) => {
      if (c === 0) lines.push(`  if (lpc_c == 0u) { ${bind}[lpc_o] = lpc_v; }`);
      else if (c < this.bindings.length - 1) lines.push(`  else if (lpc_c == ${c}u) { ${bind}[lpc_o] = lpc_v; }`);
      else lines.push(`  else { ${bind}[lpc_o] = lpc_v; }`);
    });
    lines.push('}');
    return this.b.use(helper(name, lines.join('\n')));
  }

  private codeHelper(): WgslHelper {
    const at = this.elementHelper();
    const name = `${this.name}_code`;
    if (this.lanes === 1) return helper(name, `fn ${name}(lpc_i: u32) -> i32 {\n  return ${at}(lpc_i);\n}`);
    const shift = this.lanes === 4 ? 2 : 1;
    const bits = this.layout.laneBits;
    // The lane holds the code sign-extended to 8/16 bits: a signed extract of the lane is the code.
    return helper(
      name,
      [
        `fn ${name}(lpc_i: u32) -> i32 {`,
        `  let lpc_w = bitcast<i32>(${at}(lpc_i >> ${shift}u));`,
        `  return extractBits(lpc_w, (lpc_i & ${this.lanes - 1}u) * ${bits}u, ${bits}u);`,
        `}`,
      ].join('\n'),
    );
  }

  private checkAxis(d: number): void {
    if (!Number.isInteger(d) || d < 0 || d >= this.rank) throw new Error(`tensor '${this.name}' has no axis ${d} (rank ${this.rank})`);
  }
}

/** Packs four codes (each within -128..127) into the 8-bit lanes of a word, lane 0 lowest. */
export const PACK_4X8 = helper(
  'lpc_pack_4x8',
  `fn lpc_pack_4x8(k: vec4<i32>) -> u32 {
  let u = bitcast<vec4<u32>>(k) & vec4<u32>(0xffu);
  return u.x | (u.y << 8u) | (u.z << 16u) | (u.w << 24u);
}`,
);

/** Packs two codes (each within -32768..32767) into the 16-bit lanes of a word, lane 0 lowest. */
export const PACK_2X16 = helper(
  'lpc_pack_2x16',
  `fn lpc_pack_2x16(k: vec2<i32>) -> u32 {
  let u = bitcast<vec2<u32>>(k) & vec2<u32>(0xffffu);
  return u.x | (u.y << 16u);
}`,
);
