import type { WgslCapabilities } from '../../codegen/wgsl/lib/capabilities.js';
import type { ProgramManifestJson } from '../../codegen/ts/bundle-format.js';
import type { BuiltShader } from '../../codegen/wgsl/lib/shader-builder.js';
import { UNIFORM_STRUCT, UNIFORM_VAR } from '../../codegen/wgsl/lib/uniforms.js';
import { PROGRAM_MANIFEST_FORMAT, PROGRAM_MANIFEST_VERSION } from '../../codegen/wgsl/program-manifest.js';
import type { ProgramBuffer, ProgramDispatch, ProgramNode, ProgramTensor, WgslProgram } from '../../codegen/wgsl/program-types.js';
import type { Graph } from '../../ir/graph.js';
import type { NumberType } from '../../numeric/number-type.js';
import { parseTypeSpelling } from '../weights/type-spelling.js';

/**
 * Reads a WGSL program back from its manifest (the JSON `lpc compile -o` writes as manifest.json,
 * src/codegen/wgsl/program-manifest.ts) and its shader texts, so a compiled bundle runs on the
 * executor without the compiler: the tensors, shared buffers, nodes and dispatches come from the
 * manifest, each shader's interface (bindings, uniform layout, workgroup size) from its entry, the
 * WGSL from the texts. The nodes have no KernelRequest (program-types.ts): nothing at run time
 * needs one. The planned graph (for weights and input checks) is passed in decoded.
 */

/** Thrown (and turned into a diagnostic by the caller) when a manifest cannot be read back. */
export class ManifestProblem extends Error {}

function typeOf(spelling: string, where: string): NumberType {
  const r = parseTypeSpelling(spelling);
  if ('problem' in r) throw new ManifestProblem(`${where}: ${r.problem}`);
  return r.type;
}

/** Why a JSON document is not a manifest this runtime reads, or undefined. */
export function manifestProblem(x: unknown): string | undefined {
  if (x === null || typeof x !== 'object') return 'it is not an object';
  const m = x as Partial<Record<keyof ProgramManifestJson, unknown>>;
  if (m.format !== PROGRAM_MANIFEST_FORMAT) return `its format is ${JSON.stringify(m.format)}, not "${PROGRAM_MANIFEST_FORMAT}"`;
  if (m.version !== PROGRAM_MANIFEST_VERSION) return `it is version ${JSON.stringify(m.version)}; this runtime reads version ${PROGRAM_MANIFEST_VERSION}`;
  for (const key of ['tensors', 'buffers', 'nodes', 'dispatches', 'shaders', 'inputs', 'outputs', 'losses'] as const) {
    if (!Array.isArray(m[key])) return `its \`${key}\` is not a list`;
  }
  return undefined;
}

/** The capabilities the program was generated for (workgroup size limits default to the portable ones). */
function capabilitiesOf(m: ProgramManifestJson): WgslCapabilities {
  const c = m.capabilities;
  return {
    languageFeatures: new Set(c.languageFeatures),
    features: new Set(c.features),
    maxComputeWorkgroupStorageSize: c.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: c.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: c.maxComputeWorkgroupSizeX ?? 256,
    maxComputeWorkgroupSizeY: c.maxComputeWorkgroupSizeY ?? 256,
    maxComputeWorkgroupSizeZ: c.maxComputeWorkgroupSizeZ ?? 64,
    maxStorageBuffersPerShaderStage: c.maxStorageBuffersPerShaderStage,
    maxStorageBufferBindingSize: c.maxStorageBufferBindingSize,
    maxComputeWorkgroupsPerDimension: c.maxComputeWorkgroupsPerDimension,
  };
}

function shaderOf(s: ProgramManifestJson['shaders'][number], code: string | undefined): BuiltShader {
  if (code === undefined) throw new ManifestProblem(`the WGSL text of shader ${s.key} (${s.file}) is missing`);
  return {
    code,
    key: s.key,
    entryPoint: s.entryPoint,
    bindings: s.bindings.map((b) => ({ name: b.name, group: 0, binding: b.binding, kind: b.kind, ...(b.element ? { element: b.element } : {}) })),
    uniforms: { structName: UNIFORM_STRUCT, varName: UNIFORM_VAR, fields: s.uniforms.map((f) => ({ ...f })), size: s.uniformBytes },
    workgroupSize: [s.workgroupSize[0], s.workgroupSize[1], s.workgroupSize[2]],
  };
}

/**
 * The program of a manifest. `shaders` maps a shader key to its WGSL; `graph` is the planned graph
 * the manifest was generated from. Throws ManifestProblem when they do not fit together.
 */
export function programFromManifest(m: ProgramManifestJson, shaders: Readonly<Record<string, string>>, graph: Graph): WgslProgram {
  const activationBuffers = m.buffers.filter((b) => b.kind === 'activation').length;
  const tensors = new Map<string, ProgramTensor>();
  for (const t of m.tensors) {
    const type = typeOf(t.type, `tensor ${t.id}`);
    const tensor: ProgramTensor = { id: t.id, role: t.role, type, shape: [...t.shape], elements: t.elements, bytes: t.bytes };
    if (t.chunking) tensor.chunking = { chunks: t.chunking.chunks, chunkElements: t.chunking.chunkElements };
    if (t.buffer !== null) tensor.pool = t.buffer;
    if (t.role === 'param' && t.param !== null) tensor.stored = { param: t.param, type };
    if (t.role === 'scratch' && t.buffer !== null) tensor.scratchSlot = t.buffer - activationBuffers;
    tensors.set(t.id, tensor);
  }
  const built = new Map<string, BuiltShader>();
  for (const s of m.shaders) built.set(s.key, shaderOf(s, shaders[s.key]));
  const dispatches: ProgramDispatch[] = m.dispatches.map((d, i) => {
    if (!built.has(d.shader)) throw new ManifestProblem(`dispatch ${i} (${d.label}) uses shader ${d.shader}, which the manifest does not list`);
    for (const b of d.bindings) {
      if (!tensors.has(b.tensor)) throw new ManifestProblem(`dispatch ${i} (${d.label}) binds '${b.name}' to tensor '${b.tensor}', which the manifest does not list`);
    }
    return {
      node: d.node,
      label: d.label,
      shader: d.shader,
      workgroups: [d.workgroups[0], d.workgroups[1], d.workgroups[2]],
      uniforms: { ...d.uniforms },
      bindings: d.bindings.map((b) => ({ name: b.name, tensor: b.tensor, ...(b.chunk !== null ? { chunk: b.chunk } : {}) })),
      rng: d.rng.map((r) => ({ prefix: r.prefix, stream: r.stream })),
      quantStats: d.quantStats,
    };
  });
  const nodes: ProgramNode[] = m.nodes.map((n) => ({
    id: n.id,
    op: n.op,
    index: n.index,
    fused: [...n.fused],
    inputs: [...n.inputs],
    params: [...n.params],
    output: n.output,
    dispatches: [...n.dispatches],
  }));
  const buffers: ProgramBuffer[] = m.buffers.map((b) => ({ index: b.index, kind: b.kind, bytes: b.bytes, tensors: [...b.tensors] }));
  if (graph.name !== m.net) throw new ManifestProblem(`the manifest is of net '${m.net}' but the graph of net '${graph.name}'`);
  for (const id of m.inputs) if (!graph.values.has(id)) throw new ManifestProblem(`input '${id}' of the manifest is not a value of the graph`);
  return {
    net: m.net,
    mode: m.mode,
    netParams: { ...m.netParams },
    graph,
    capabilities: capabilitiesOf(m),
    tensors,
    buffers,
    nodes,
    dispatches,
    shaders: built,
    inputs: [...m.inputs],
    outputs: m.outputs.map((o) => ({ ...o })),
    losses: m.losses.map((l) => ({ ...l })),
  };
}
