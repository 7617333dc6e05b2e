/**
 * A helper is a named piece of module-scope WGSL (a function or a struct) that kernels call. The
 * builder emits a helper only when a kernel used it, once, after the helpers it depends on, and
 * adds the `requires` directives it needs. Two helpers with the same name must have the same text:
 * generators derive names from everything that shapes the text (type, mode, width), so equal names
 * mean equal code, and a mismatch is a generator bug the builder reports.
 */
export interface WgslHelper {
  readonly name: string;
  readonly code: string;
  readonly deps?: readonly WgslHelper[];
  /** WGSL language features that need a `requires` directive (e.g. packed_4x8_integer_dot_product). */
  readonly requires?: readonly string[];
}

export function helper(name: string, code: string, deps: readonly WgslHelper[] = [], requires: readonly string[] = []): WgslHelper {
  return { name, code: code.trim(), deps, requires };
}
