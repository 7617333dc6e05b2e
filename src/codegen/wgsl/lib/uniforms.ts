/**
 * The uniform block of a kernel: the values that vary between dispatches of one pipeline (shapes,
 * strides, element counts, generator keys), so a pipeline compiled once serves every shape.
 *
 * Every field is a 4-byte scalar, laid out in declaration order at 4-byte steps; the struct size is
 * rounded up to 16 bytes, as the uniform address space requires. This layout is valid WGSL for
 * scalar members without any padding rule to get wrong.
 */
export type UniformScalar = 'u32' | 'i32' | 'f32';

export interface UniformField {
  name: string;
  type: UniformScalar;
  /** Byte offset in the uniform buffer. */
  offset: number;
}

export interface UniformLayout {
  /** WGSL struct name. */
  structName: string;
  /** The module-scope variable kernels read fields from (`lpc_u.x_len`). */
  varName: string;
  fields: readonly UniformField[];
  /** Buffer size in bytes (a multiple of 16; 0 when there are no fields). */
  size: number;
}

export const UNIFORM_STRUCT = 'LpcUniforms';
export const UNIFORM_VAR = 'lpc_u';

export function uniformLayout(fields: readonly { name: string; type: UniformScalar }[]): UniformLayout {
  const laid = fields.map((f, i) => ({ name: f.name, type: f.type, offset: 4 * i }));
  const size = fields.length === 0 ? 0 : Math.ceil((4 * fields.length) / 16) * 16;
  return { structName: UNIFORM_STRUCT, varName: UNIFORM_VAR, fields: laid, size };
}

/** The WGSL declaration of the struct (without the binding). */
export function uniformStructWgsl(layout: UniformLayout): string {
  const lines = layout.fields.map((f) => `  ${f.name}: ${f.type},`);
  return `struct ${layout.structName} {\n${lines.join('\n')}\n}`;
}

/**
 * Fills a uniform buffer's bytes from named values. Every field must be given (a forgotten shape
 * would silently read 0), no unknown name is accepted, and integers must fit their type.
 */
export function packUniforms(layout: UniformLayout, values: Readonly<Record<string, number>>): ArrayBuffer {
  const buf = new ArrayBuffer(layout.size);
  const view = new DataView(buf);
  const known = new Set(layout.fields.map((f) => f.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) throw new Error(`uniform '${name}' is not a field of this kernel (fields: ${[...known].join(', ') || 'none'})`);
  }
  for (const f of layout.fields) {
    const v = values[f.name];
    if (v === undefined) throw new Error(`uniform '${f.name}' was not given a value`);
    switch (f.type) {
      case 'u32':
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`uniform '${f.name}' must be a u32, got ${v}`);
        view.setUint32(f.offset, v, true);
        break;
      case 'i32':
        if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new RangeError(`uniform '${f.name}' must be an i32, got ${v}`);
        view.setInt32(f.offset, v, true);
        break;
      case 'f32':
        view.setFloat32(f.offset, v, true);
        break;
    }
  }
  return buf;
}
