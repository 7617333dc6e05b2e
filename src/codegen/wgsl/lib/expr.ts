/**
 * Typed pieces of WGSL. A kernel generator composes expressions whose WGSL type is known to
 * TypeScript, so an accessor that wants a `u32` index cannot be handed an `f32` by mistake and a
 * packed store cannot be handed the wrong vector width. `Expr.toString()` returns the WGSL text,
 * so expressions embed directly in template literals when a kernel body is written.
 */

export type WgslScalar = 'f32' | 'i32' | 'u32' | 'bool';
export type WgslVector = `vec${2 | 3 | 4}<${'f32' | 'i32' | 'u32'}>`;
/** Scalars, vectors, fixed-size u32 arrays (tensor indices) and the library's own structs. */
export type WgslType = WgslScalar | WgslVector | `array<u32, ${number}>` | 'LpcQuant';

export class Expr<T extends WgslType = WgslType> {
  constructor(
    readonly code: string,
    readonly type: T,
  ) {}

  toString(): string {
    return this.code;
  }
}

/** An expression that is known to be `u32`, or a non-negative integer written as a literal. */
export type U32Like = Expr<'u32'> | number;
export type I32Like = Expr<'i32'> | number;
export type F32Like = Expr<'f32'> | number;

/** Wraps WGSL text the caller vouches for (builtins, loop variables) as a typed expression. */
export function wgsl<T extends WgslType>(type: T, code: string): Expr<T> {
  return new Expr(code, type);
}

export function u32Lit(n: number): Expr<'u32'> {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a u32: ${n}`);
  return new Expr(n > 0xffff ? `0x${n.toString(16)}u` : `${n}u`, 'u32');
}

/**
 * An i32 literal. -2^31 has no literal spelling in WGSL (the minus applies to 2147483648, which is
 * out of range), so it is written as a constant expression.
 */
export function i32Lit(n: number): Expr<'i32'> {
  if (!Number.isInteger(n) || n < -(2 ** 31) || n > 2 ** 31 - 1) throw new RangeError(`not an i32: ${n}`);
  if (n === -(2 ** 31)) return new Expr('(-2147483647i - 1i)', 'i32');
  return new Expr(n < 0 ? `(${n}i)` : `${n}i`, 'i32');
}

/**
 * An f32 literal that denotes exactly the f32 value of `x` (Math.fround of it): written as a
 * hexadecimal float (`0x1.8p-3f`) so no decimal-to-binary rounding of the shader compiler can
 * move it. Infinities and NaN have no WGSL literal and are rejected.
 */
export function f32Lit(x: number): Expr<'f32'> {
  const v = Math.fround(x);
  if (!Number.isFinite(v)) throw new RangeError(`f32 literal must be finite, got ${x}`);
  if (v === 0) return new Expr(Object.is(v, -0) ? '(-0.0f)' : '0.0f', 'f32');
  const sign = v < 0 ? '-' : '';
  let m = Math.abs(v);
  let e = 0;
  // Normalise to m in [1, 2): exact in f64, since only the exponent changes.
  while (m >= 2) {
    m /= 2;
    e++;
  }
  while (m < 1) {
    m *= 2;
    e--;
  }
  // m = 1.f with at most 23 fraction bits; print them as 6 hex digits (24 bits) and trim zeros.
  const frac = Math.round((m - 1) * 2 ** 24);
  const hex = frac.toString(16).padStart(6, '0').replace(/0+$/, '');
  const text = `0x1${hex ? `.${hex}` : ''}p${e}f`;
  return new Expr(sign ? `(${sign}${text})` : text, 'f32');
}

/** 2^e as an exact f32 literal (normal range only: -126 <= e <= 127). */
export function pow2F32(e: number): Expr<'f32'> {
  if (!Number.isInteger(e) || e < -126 || e > 127) throw new RangeError(`2^${e} is not a normal f32`);
  return new Expr(`0x1p${e}f`, 'f32');
}

export function asU32(x: U32Like): Expr<'u32'> {
  return typeof x === 'number' ? u32Lit(x) : x;
}

export function asI32(x: I32Like): Expr<'i32'> {
  return typeof x === 'number' ? i32Lit(x) : x;
}

export function asF32(x: F32Like): Expr<'f32'> {
  return typeof x === 'number' ? f32Lit(x) : x;
}

/**
 * Words a generated identifier must not be: WGSL keywords and reserved words, the builtin
 * functions and types the library's code calls (a module-scope declaration would shadow them),
 * and the entry point's parameter names.
 */
const RESERVED = new Set(
  (
    'alias break case const const_assert continue continuing default diagnostic discard else enable false fn for if let loop ' +
    'override requires return struct switch true var while NULL Self abstract active alignas alignof as asm asm_fragment async ' +
    'attribute auto await become binding_array cast catch class co_await co_return co_yield coherent column_major common compile ' +
    'compile_fragment concept const_cast consteval constexpr constinit crate debugger decltype delete demote demote_to_helper do ' +
    'dynamic_cast enum explicit export extends extern external fallthrough filter final finally friend from fxgroup get goto ' +
    'groupshared highp impl implements import inline instanceof interface layout lowp macro macro_rules match mediump meta mod ' +
    'module move mut mutable namespace new nil noexcept noinline nointerpolation non_coherent noncoherent noperspective null ' +
    'nullptr of operator package packoffset partition pass patch pixelfragment precise precision premerge priv protected pub ' +
    'public readonly ref regardless register reinterpret_cast require resource restrict self set shared sizeof smooth snorm ' +
    'static static_assert static_cast std subroutine super target template this thread_local throw trait try type typedef ' +
    'typeid typename typeof union unless unorm unsafe unsized use using varying virtual volatile wgsl where with writeonly yield ' +
    'f32 f16 i32 u32 bool vec2 vec3 vec4 mat2x2 mat3x3 mat4x4 array atomic ptr sampler texture_2d ' +
    'abs min max clamp select floor ceil round trunc fract ldexp frexp bitcast extractBits insertBits countLeadingZeros ' +
    'countOneBits firstLeadingBit arrayLength atomicAdd atomicLoad atomicStore workgroupBarrier storageBarrier dot dot4I8Packed ' +
    'dot4U8Packed pack4xI8 unpack4xI8 sqrt exp log pow ' +
    'gid lid wid nwg lidx main'
  ).split(' '),
);

/**
 * A WGSL identifier made from a free-form name (tensor ids like `c1.weights.q`). Names that would
 * collide with WGSL's words, the builtins the library calls, the entry point's parameters or the
 * library's own `lpc_` names get a `t_` prefix.
 */
export function identifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_');
  if (!/^[A-Za-z]/.test(id) || RESERVED.has(id) || id.startsWith('lpc_') || id === 'lpc') return `t_${id.replace(/^_/, '')}`;
  return id;
}
