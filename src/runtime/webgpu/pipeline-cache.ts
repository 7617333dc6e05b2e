import type { BuiltShader } from '../../codegen/wgsl/lib/shader-builder.js';
import { DiagnosticError, error, type Diagnostic } from '../../diag/diagnostic.js';
import { WEBGPU_CODES } from './codes.js';
import { gpuErrorDiagnostic, withErrorScope } from './error-scope.js';

/**
 * Compiled pipelines keyed by the ShaderBuilder's cache key (a hash of the WGSL text), so a
 * kernel generated again for another layer of the same kind, or another shape with its shape in
 * uniforms, reuses the pipeline. The full text is compared on a hit, so a hash collision costs a
 * compilation, never a wrong kernel. Each pipeline gets an explicit bind group layout from the
 * builder's binding table ('auto' layouts drop bindings a kernel does not use, and then binding
 * them fails).
 */
export interface CachedPipeline {
  pipeline: GPUComputePipeline;
  bindGroupLayout: GPUBindGroupLayout;
  shader: BuiltShader;
}

export class PipelineCache {
  private readonly entries = new Map<string, { code: string; pipeline: Promise<CachedPipeline> }[]>();
  private compiled = 0;

  constructor(readonly device: GPUDevice) {}

  /** Pipelines compiled so far (cache misses). */
  get compilations(): number {
    return this.compiled;
  }

  get(shader: BuiltShader, label: string): Promise<CachedPipeline> {
    const list = this.entries.get(shader.key) ?? [];
    const hit = list.find((e) => e.code === shader.code);
    if (hit) return hit.pipeline;
    const pipeline = this.compile(shader, label);
    list.push({ code: shader.code, pipeline });
    this.entries.set(shader.key, list);
    // A failed compilation is not cached: the caller gets the diagnostic, a retry compiles again.
    pipeline.catch(() => {
      const l = this.entries.get(shader.key);
      if (l) this.entries.set(shader.key, l.filter((e) => e.pipeline !== pipeline));
    });
    return pipeline;
  }

  private async compile(shader: BuiltShader, label: string): Promise<CachedPipeline> {
    this.compiled++;
    const device = this.device;
    // The module in a scope of its own: invalid WGSL is also a validation error, and the
    // compilation messages (with line and column) say more than that error does.
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label, code: shader.code });
    const info = await module.getCompilationInfo();
    const moduleError = await device.popErrorScope();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) throw new DiagnosticError(errors.map((m) => compileDiagnostic(m, shader.code, label)));
    if (moduleError) throw new DiagnosticError([gpuErrorDiagnostic('validation', moduleError, label)]);
    return withErrorScope(device, label, async () => {
      const bindGroupLayout = device.createBindGroupLayout({
        label,
        entries: shader.bindings.map((b) => ({
          binding: b.binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: b.kind },
        })),
      });
      const layout = device.createPipelineLayout({ label, bindGroupLayouts: [bindGroupLayout] });
      try {
        const pipeline = await device.createComputePipelineAsync({ label, layout, compute: { module, entryPoint: shader.entryPoint } });
        return { pipeline, bindGroupLayout, shader };
      } catch (e) {
        throw new DiagnosticError([
          error(WEBGPU_CODES.PIPELINE_CREATE, `the GPU could not create the pipeline of '${label}': ${e instanceof Error ? e.message : String(e)}`, undefined, {
            hint: 'this is a bug in lpc or the driver; please report it with the net and `lpc info --gpu`',
          }),
        ]);
      }
    });
  }
}

function compileDiagnostic(m: GPUCompilationMessage, code: string, label: string): Diagnostic {
  const line = code.split('\n')[m.lineNum - 1];
  const notes = line === undefined ? [] : [{ message: `line ${m.lineNum}: ${line.trim()}` }];
  return error(WEBGPU_CODES.SHADER_COMPILE, `the WGSL of '${label}' does not compile (${m.lineNum}:${m.linePos}): ${m.message}`, undefined, {
    notes,
    hint: 'this is a bug in lpc\'s code generator; please report it with the net and `lpc info --gpu`',
  });
}
