import type { WgslCapabilities } from '../../codegen/wgsl/lib/capabilities.js';
import { buildWgslProgram, type BuildProgramOptions } from '../../codegen/wgsl/program.js';
import type { WgslProgram } from '../../codegen/wgsl/program-types.js';
import { programManifest, programTotals, shaderFiles } from '../../codegen/wgsl/program-manifest.js';
import type { Diagnostic } from '../../diag/diagnostic.js';
import { plannedManifest } from '../../passes/manifest.js';
import type { PipelineResult } from '../../passes/pipeline.js';

/**
 * The files of `lpc compile -o OUT` for one net, as paths inside OUT/<net>/ -> text:
 *
 *   shaders/<key>.wgsl   each distinct kernel once (layers with equal kernels share a file)
 *   manifest.json        the WGSL program: tensors, buffers, nodes, dispatches, shaders
 *   plan.ir              the planned IR (the text of `lpc compile --emit ir`)
 *   graph.json           the planned graph as JSON (values, nodes, memory plans)
 *
 * Undefined files when the program cannot be built (a layer without a kernel): the diagnostics say why.
 */
export interface Bundle {
  files?: Record<string, string>;
  /** The program the files describe (the TypeScript module of the net is generated from it). */
  program?: WgslProgram;
  diagnostics: Diagnostic[];
  /** One line for the command's report: dispatches, shaders, parameter bytes. */
  summary: string;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export function bundleFiles(planned: PipelineResult, caps: WgslCapabilities, planText: string, opts: Pick<BuildProgramOptions, 'configFor'> = {}): Bundle {
  const built = buildWgslProgram(planned, caps, opts);
  if (!built.program) return { diagnostics: built.diagnostics, summary: '' };
  const p = built.program;
  const files: Record<string, string> = {
    'manifest.json': json(programManifest(p)),
    'plan.ir': planText,
    'graph.json': json(plannedManifest(planned)),
  };
  for (const [name, code] of Object.entries(shaderFiles(p))) files[`shaders/${name}`] = code;
  const t = programTotals(p);
  const summary = `${t.dispatches} dispatches for ${t.nodes} nodes, ${t.shaders} shaders, parameters ${t.paramBytes} bytes as stored (${t.paramF32Bytes} as f32)`;
  return { files, program: p, diagnostics: built.diagnostics, summary };
}
