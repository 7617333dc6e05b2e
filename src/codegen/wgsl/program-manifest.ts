import { F32, formatNumberType, packedBytes } from '../../numeric/number-type.js';
import type { ProgramTensor, WgslProgram } from './program-types.js';

/**
 * A WgslProgram as JSON (`lpc compile -o OUT` writes it as OUT/<net>/manifest.json) and its
 * shaders as `.wgsl` files: every tensor with its stored type and bytes, the shared buffers, the
 * nodes with what they fused, every dispatch with its shader, workgroups, bindings (shader name and
 * number -> tensor and chunk), uniform values and rng streams, and every shader's interface. Number
 * types are written in source spelling. Enough to run the net without the compiler: the executor
 * needs nothing else than this, the shader texts and the weights.
 */
export const PROGRAM_MANIFEST_FORMAT = 'lpc-wgsl-program';
export const PROGRAM_MANIFEST_VERSION = 1;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** File name of a shader inside the output folder's `shaders/`. */
export function shaderFileName(key: string): string {
  return `${key}.wgsl`;
}

function tensorJson(t: ProgramTensor): Json {
  return {
    id: t.id,
    role: t.role,
    type: formatNumberType(t.type),
    shape: [...t.shape],
    elements: t.elements,
    bytes: t.bytes,
    chunking: t.chunking ? { chunks: t.chunking.chunks, chunkElements: t.chunking.chunkElements } : null,
    buffer: t.pool ?? null,
    param: t.stored?.param ?? null,
    f32Bytes: t.role === 'param' ? packedBytes(F32, t.elements) : null,
  };
}

export interface ProgramTotals {
  nodes: number;
  dispatches: number;
  shaders: number;
  /** Parameters as stored on the device, and what they would take as f32. */
  paramBytes: number;
  paramF32Bytes: number;
  /** Shared activation and scratch buffers (as stored, before chunk alignment). */
  bufferBytes: number;
  inputBytes: number;
  outputBytes: number;
}

export function programTotals(p: WgslProgram): ProgramTotals {
  const sum = (f: (t: ProgramTensor) => boolean, bytes: (t: ProgramTensor) => number = (t) => t.bytes) =>
    [...p.tensors.values()].filter(f).reduce((a, t) => a + bytes(t), 0);
  return {
    nodes: p.nodes.length,
    dispatches: p.dispatches.length,
    shaders: p.shaders.size,
    paramBytes: sum((t) => t.role === 'param'),
    paramF32Bytes: sum((t) => t.role === 'param', (t) => packedBytes(F32, t.elements)),
    bufferBytes: p.buffers.reduce((a, b) => a + b.bytes, 0),
    inputBytes: sum((t) => t.role === 'input'),
    outputBytes: sum((t) => t.role === 'output'),
  };
}

export function programManifest(p: WgslProgram): Json {
  const totals = programTotals(p);
  const caps = p.capabilities;
  return {
    format: PROGRAM_MANIFEST_FORMAT,
    version: PROGRAM_MANIFEST_VERSION,
    net: p.net,
    mode: p.mode,
    netParams: { ...p.netParams },
    capabilities: {
      maxStorageBufferBindingSize: caps.maxStorageBufferBindingSize,
      maxStorageBuffersPerShaderStage: caps.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: caps.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: caps.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupsPerDimension: caps.maxComputeWorkgroupsPerDimension,
      languageFeatures: [...caps.languageFeatures].sort(),
      features: [...caps.features].sort(),
    },
    totals: { ...totals },
    inputs: [...p.inputs],
    outputs: p.outputs.map((o) => ({ name: o.name, value: o.value })),
    losses: p.losses.map((l) => ({ name: l.name, value: l.value })),
    tensors: [...p.tensors.values()].map(tensorJson),
    buffers: p.buffers.map((b) => ({ index: b.index, kind: b.kind, bytes: b.bytes, tensors: [...b.tensors] })),
    nodes: p.nodes.map((n) => ({
      id: n.id,
      op: n.op,
      index: n.index,
      fused: [...n.fused],
      inputs: [...n.inputs],
      params: [...n.params],
      output: n.output,
      epilogue: n.request ? n.request.epilogue.map((s) => s.name) : null,
      accumulate: n.request?.accumulate ?? null,
      config: n.request?.config ? { ...n.request.config } : null,
      dispatches: [...n.dispatches],
    })),
    dispatches: p.dispatches.map((d) => {
      const shader = p.shaders.get(d.shader)!;
      return {
        node: d.node,
        label: d.label,
        shader: d.shader,
        workgroups: [...d.workgroups],
        bindings: d.bindings.map((b) => ({
          name: b.name,
          binding: shader.bindings.find((x) => x.name === b.name)?.binding ?? null,
          tensor: b.tensor,
          chunk: b.chunk ?? null,
        })),
        uniforms: Object.fromEntries(Object.keys(d.uniforms).sort().map((k) => [k, d.uniforms[k]])),
        rng: d.rng.map((r) => ({ prefix: r.prefix, stream: r.stream })),
        quantStats: d.quantStats,
      };
    }),
    shaders: [...p.shaders.entries()].map(([key, s]) => ({
      key,
      file: `shaders/${shaderFileName(key)}`,
      entryPoint: s.entryPoint,
      workgroupSize: [...s.workgroupSize],
      bindings: s.bindings.map((b) => ({ name: b.name, binding: b.binding, kind: b.kind, element: b.element ?? null })),
      uniforms: s.uniforms.fields.map((f) => ({ name: f.name, type: f.type, offset: f.offset })),
      uniformBytes: s.uniforms.size,
    })),
  };
}

/** The shaders as files: name (inside `shaders/`) -> WGSL text. */
export function shaderFiles(p: WgslProgram): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, s] of p.shaders) out[shaderFileName(key)] = s.code;
  return out;
}
