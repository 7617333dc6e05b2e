import { DiagnosticError, error } from '../../../diag/diagnostic.js';
import type { WgslCapabilities } from './capabilities.js';
import { WGSL_LIB_CODES } from './codes.js';
import { Expr, identifier, wgsl, type WgslType } from './expr.js';
import { contentHash } from './hash.js';
import type { WgslHelper } from './helper.js';
import { uniformLayout, uniformStructWgsl, type UniformLayout, type UniformScalar } from './uniforms.js';

/**
 * Builds one compute shader from typed pieces: storage bindings and a uniform block with binding
 * numbers assigned here, the helper functions a kernel actually called (deduplicated by name, in
 * dependency order), workgroup memory checked against the adapter, and the entry point. `build()`
 * returns the WGSL text, a cache key derived from that text, and the binding table the runtime
 * needs to create the bind group layout.
 *
 * Binding numbers are assigned when the shader is built: storage buffers in declaration order from
 * 0, then the uniform buffer (if any field was declared). Kernels refer to bindings by name, so the
 * numbering never leaks into generator code.
 */

export type StorageElement = 'f32' | 'i32' | 'u32' | 'atomic<u32>' | 'atomic<i32>';
export type StorageAccess = 'read' | 'read_write';

export interface BindingInfo {
  name: string;
  group: 0;
  binding: number;
  kind: 'read-only-storage' | 'storage' | 'uniform';
  /** WGSL element type of a storage array; undefined for the uniform block. */
  element?: StorageElement;
}

export interface BuiltShader {
  code: string;
  /** Content hash of the text and entry point: equal keys mean one pipeline serves both. */
  key: string;
  entryPoint: string;
  bindings: readonly BindingInfo[];
  uniforms: UniformLayout;
  workgroupSize: readonly [number, number, number];
}

export interface ShaderBuilderOptions {
  capabilities: WgslCapabilities;
  /** Invocations per workgroup along x, y, z (missing axes are 1). */
  workgroupSize: number | readonly [number, number?, number?];
  entryPoint?: string;
}

interface StorageDecl {
  name: string;
  element: StorageElement;
  access: StorageAccess;
  /** Fixed length for arrays of atomics (runtime-sized otherwise). */
  length?: number;
}

/** Builtins every entry point receives; unused ones cost nothing. */
export interface EntryBuiltins {
  globalId: Expr<'vec3<u32>'>;
  localId: Expr<'vec3<u32>'>;
  workgroupId: Expr<'vec3<u32>'>;
  numWorkgroups: Expr<'vec3<u32>'>;
  localIndex: Expr<'u32'>;
}

export class ShaderBuilder {
  readonly capabilities: WgslCapabilities;
  readonly workgroupSize: readonly [number, number, number];
  readonly entryPoint: string;
  readonly builtins: EntryBuiltins = {
    globalId: wgsl('vec3<u32>', 'gid'),
    localId: wgsl('vec3<u32>', 'lid'),
    workgroupId: wgsl('vec3<u32>', 'wid'),
    numWorkgroups: wgsl('vec3<u32>', 'nwg'),
    localIndex: wgsl('u32', 'lidx'),
  };

  private readonly storage: StorageDecl[] = [];
  private readonly uniformFields: { name: string; type: UniformScalar }[] = [];
  private readonly helpers = new Map<string, WgslHelper>();
  private readonly helperOrder: WgslHelper[] = [];
  private readonly requires = new Set<string>();
  private readonly enables = new Set<string>();
  private readonly constants: string[] = [];
  private readonly constantNames = new Set<string>();
  private readonly workgroupVars: string[] = [];
  private workgroupBytes = 0;
  private readonly names = new Set<string>();
  private body: string[] | undefined;

  constructor(opts: ShaderBuilderOptions) {
    this.capabilities = opts.capabilities;
    const ws = typeof opts.workgroupSize === 'number' ? [opts.workgroupSize] : opts.workgroupSize;
    this.workgroupSize = [ws[0] ?? 1, ws[1] ?? 1, ws[2] ?? 1];
    this.entryPoint = opts.entryPoint ?? 'main';
    this.checkWorkgroupSize();
  }

  /**
   * Declares a storage buffer `array<element>` (or `array<element, length>`) and returns its WGSL
   * name, unique in the shader. `libraryName`: the name is one of the library's own `lpc_` names
   * and is used as it is (user names are made safe by identifier(), which keeps them off `lpc_`).
   */
  storageBuffer(name: string, element: StorageElement, access: StorageAccess, length?: number, libraryName = false): string {
    if (libraryName && !/^lpc_\w+$/.test(name)) throw new Error(`'${name}' is not a library name (lpc_...)`);
    const id = this.claim(libraryName ? name : identifier(name));
    if (element.startsWith('atomic') && access !== 'read_write') throw new Error(`atomic storage '${id}' must be read_write`);
    this.storage.push({ name: id, element, access, length });
    const max = this.capabilities.maxStorageBuffersPerShaderStage;
    if (this.storage.length > max) {
      throw new DiagnosticError([
        error(WGSL_LIB_CODES.TOO_MANY_STORAGE_BINDINGS, `this kernel needs ${this.storage.length} storage buffers; the adapter allows ${max} per shader`, undefined, {
          hint: 'a tensor larger than maxStorageBufferBindingSize is split into one binding per chunk; use a narrower type or an adapter with larger bindings',
        }),
      ]);
    }
    return id;
  }

  /**
   * Declares a uniform field (or returns the existing one with the same name and type: accessors
   * of one tensor may ask twice) and returns an expression reading it.
   */
  uniform<T extends UniformScalar>(name: string, type: T): Expr<T> {
    const id = identifier(name);
    const existing = this.uniformFields.find((f) => f.name === id);
    if (existing) {
      if (existing.type !== type) throw new Error(`uniform '${id}' declared as ${existing.type} and ${type}`);
    } else {
      this.uniformFields.push({ name: id, type });
    }
    return wgsl(type, `lpc_u.${id}`);
  }

  /** Names of the uniform fields declared so far. */
  uniformNames(): string[] {
    return this.uniformFields.map((f) => f.name);
  }

  /** Adds a helper (and its dependencies, first) unless one of that name is already in; returns its name. */
  use(h: WgslHelper): string {
    const prior = this.helpers.get(h.name);
    if (prior) {
      if (prior.code !== h.code) throw new Error(`two different WGSL helpers are named '${h.name}' (a generator bug)`);
      return h.name;
    }
    for (const d of h.deps ?? []) this.use(d);
    for (const r of h.requires ?? []) this.requires.add(r);
    this.helpers.set(h.name, h);
    this.helperOrder.push(h);
    return h.name;
  }

  /**
   * Adds an `enable` directive for an optional device feature the kernel uses (`subgroups`,
   * `f16`). The caller checks that the device has the feature (capabilities.features).
   */
  enable(extension: 'subgroups' | 'f16'): void {
    this.enables.add(extension);
  }

  /** Whether a helper of this name was used (tests, and generators that share scratch helpers). */
  uses(name: string): boolean {
    return this.helpers.has(name);
  }

  /** A module-scope `const` (deduplicated by name; the same name must have the same value). */
  constant<T extends WgslType>(name: string, type: T, value: Expr<T> | string): Expr<T> {
    const id = identifier(name);
    const line = `const ${id}: ${type} = ${value};`;
    if (this.constantNames.has(id)) {
      if (!this.constants.includes(line)) throw new Error(`constant '${id}' declared twice with different values`);
    } else {
      this.claim(id);
      this.constantNames.add(id);
      this.constants.push(line);
    }
    return wgsl(type, id);
  }

  /**
   * Workgroup memory `var<workgroup> name: array<element, length>`, counted against the adapter's
   * limit. Atomic elements serve counters a workgroup gathers before one global atomic per bin
   * (per-layer statistics), so the global buffer sees one add per workgroup, not per element.
   */
  workgroupArray(name: string, element: 'f32' | 'i32' | 'u32' | 'atomic<u32>' | 'atomic<i32>', length: number): string {
    const id = this.claim(identifier(name));
    this.workgroupVars.push(`var<workgroup> ${id}: array<${element}, ${length}>;`);
    this.workgroupBytes += 4 * length;
    const max = this.capabilities.maxComputeWorkgroupStorageSize;
    if (this.workgroupBytes > max) {
      throw new DiagnosticError([
        error(WGSL_LIB_CODES.WORKGROUP_MEMORY_EXCEEDED, `this kernel declares ${this.workgroupBytes} bytes of workgroup memory; the adapter offers ${max}`, undefined, {
          hint: 'choose smaller tiles for this adapter',
        }),
      ]);
    }
    return id;
  }

  /**
   * The flat index of this invocation over a grid of workgroups that may be two-dimensional
   * (more than maxComputeWorkgroupsPerDimension groups): x varies fastest. Pair with gridFor().
   */
  globalIndex(): Expr<'u32'> {
    const wx = this.workgroupSize[0];
    return wgsl('u32', `(gid.x + gid.y * (nwg.x * ${wx}u))`);
  }

  /** Sets the entry point's body: lines of WGSL statements (compose them from typed expressions). */
  main(lines: readonly string[]): this {
    this.body = [...lines];
    return this;
  }

  build(): BuiltShader {
    if (!this.body) throw new Error('ShaderBuilder.build(): no entry point body was given (call main())');
    const bindings: BindingInfo[] = this.storage.map((s, i) => ({
      name: s.name,
      group: 0,
      binding: i,
      kind: s.access === 'read' ? 'read-only-storage' : 'storage',
      element: s.element,
    }));
    const uniforms = uniformLayout(this.uniformFields);
    const out: string[] = [];
    for (const e of [...this.enables].sort()) out.push(`enable ${e};`);
    for (const r of [...this.requires].sort()) out.push(`requires ${r};`);
    if (this.requires.size + this.enables.size > 0) out.push('');
    if (uniforms.fields.length > 0) {
      out.push(uniformStructWgsl(uniforms));
      out.push(`@group(0) @binding(${bindings.length}) var<uniform> ${uniforms.varName}: ${uniforms.structName};`);
      bindings.push({ name: uniforms.varName, group: 0, binding: bindings.length, kind: 'uniform' });
    }
    for (const [i, s] of this.storage.entries()) {
      const arr = s.length === undefined ? `array<${s.element}>` : `array<${s.element}, ${s.length}>`;
      const mode = s.access === 'read' ? 'read' : 'read_write';
      out.push(`@group(0) @binding(${i}) var<storage, ${mode}> ${s.name}: ${arr};`);
    }
    if (this.constants.length > 0) out.push('', ...this.constants);
    if (this.workgroupVars.length > 0) out.push('', ...this.workgroupVars);
    for (const h of this.helperOrder) out.push('', h.code);
    const [x, y, z] = this.workgroupSize;
    out.push(
      '',
      `@compute @workgroup_size(${x}, ${y}, ${z})`,
      `fn ${this.entryPoint}(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,`,
      `        @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,`,
      `        @builtin(local_invocation_index) lidx: u32) {`,
      ...this.body.map((l) => (l.length > 0 ? `  ${l}` : l)),
      '}',
      '',
    );
    const code = out.join('\n');
    return { code, key: contentHash(`${this.entryPoint}\n${code}`), entryPoint: this.entryPoint, bindings, uniforms, workgroupSize: this.workgroupSize };
  }

  private claim(id: string): string {
    if (this.names.has(id)) throw new Error(`WGSL name '${id}' declared twice in one shader`);
    this.names.add(id);
    return id;
  }

  private checkWorkgroupSize(): void {
    const [x, y, z] = this.workgroupSize;
    const c = this.capabilities;
    const total = x * y * z;
    const bad =
      ![x, y, z].every((v) => Number.isInteger(v) && v >= 1) ||
      x > c.maxComputeWorkgroupSizeX ||
      y > c.maxComputeWorkgroupSizeY ||
      z > c.maxComputeWorkgroupSizeZ ||
      total > c.maxComputeInvocationsPerWorkgroup;
    if (bad) {
      throw new DiagnosticError([
        error(
          WGSL_LIB_CODES.WORKGROUP_TOO_LARGE,
          `workgroup size ${x} x ${y} x ${z} exceeds the adapter's limits (${c.maxComputeWorkgroupSizeX} x ${c.maxComputeWorkgroupSizeY} x ${c.maxComputeWorkgroupSizeZ}, ${c.maxComputeInvocationsPerWorkgroup} invocations)`,
          undefined,
          { hint: 'size workgroups from the adapter capabilities' },
        ),
      ]);
    }
  }
}

/**
 * Workgroup counts for `invocations` flat invocations: one-dimensional while it fits the
 * per-dimension limit, else spread over y as well (ShaderBuilder.globalIndex() undoes it). Kernels
 * must guard `index < count`, since the grid may overshoot.
 */
export function gridFor(invocations: number, workgroupX: number, maxPerDimension: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(invocations / workgroupX));
  if (groups <= maxPerDimension) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDimension);
  if (y > maxPerDimension) throw new RangeError(`${invocations} invocations need more than ${maxPerDimension}^2 workgroups`);
  return [Math.ceil(groups / y), y, 1];
}
