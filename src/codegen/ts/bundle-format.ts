import type { WgslProgram } from '../wgsl/program-types.js';
import type { StorageElement } from '../wgsl/lib/shader-builder.js';
import type { UniformScalar } from '../wgsl/lib/uniforms.js';
import { programManifest } from '../wgsl/program-manifest.js';
import type { ProgramTensorRole } from '../wgsl/program-types.js';
import { encodeGraph, type GraphJson } from '../../ir/graph-json.js';
import type { Graph } from '../../ir/graph.js';
import type { BackwardPlan, BackwardStep, GradientInfo } from '../../passes/autodiff.js';
import type { NetInterface } from './net-interface.js';

/**
 * The data a generated net module carries (`<net>/program.js`, imported by `<net>/<Net>.js`):
 * everything the bundle runtime (`lpc/runtime`) needs to run the net with no compiler at hand.
 *
 *   manifest    the WGSL program (tensors, buffers, nodes, dispatches, shader interfaces), exactly
 *               the manifest.json beside it
 *   shaders     the WGSL text of each shader, by key (the shaders/*.wgsl files, inlined so that
 *               one import is enough, in Node and in a browser bundle)
 *   graph       the planned graph without source spans (parameters, shapes, types, transforms:
 *               for matching weights files and checking inputs)
 *   interface   what the module exposes (net-interface.ts)
 *   training    for nets with a loss: the graph planned for training and its backward plan, from
 *               which a WebGPU training backend builds its kernels for `trainStep` (the solver
 *               and learning-rate schedule come from the graph's train section)
 */
export const BUNDLE_FORMAT = 'lpc-bundle';
export const BUNDLE_VERSION = 1;

export interface NetBundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  net: string;
  /** The lpc version that compiled it; the runtime of another version says so if it cannot read it. */
  lpc: string;
  interface: NetInterface;
  manifest: ProgramManifestJson;
  shaders: Record<string, string>;
  graph: GraphJson;
  training?: TrainingBundle;
}

export interface TrainingBundle {
  graph: GraphJson;
  plan: BackwardPlanJson;
}

/** A BackwardPlan as JSON: its maps as lists of entries. */
export interface BackwardPlanJson {
  seeds: { loss: string; grad: string }[];
  steps: BackwardStep[];
  paramGrads: [string, string][];
  gradients: [string, GradientInfo][];
}

export function encodePlan(p: BackwardPlan): BackwardPlanJson {
  // Through JSON so that undefined entries of gradOutputs/gradInputs/gradParams become null and
  // come back as undefined-like holes the same way on every decode.
  return JSON.parse(JSON.stringify({ seeds: p.seeds, steps: p.steps, paramGrads: [...p.paramGrads], gradients: [...p.gradients] })) as BackwardPlanJson;
}

export function decodePlan(j: BackwardPlanJson): BackwardPlan {
  const opt = (x: string | null | undefined) => (x === null ? undefined : x);
  return {
    seeds: j.seeds.map((s) => ({ ...s })),
    steps: j.steps.map((s) => ({
      node: s.node,
      gradOutputs: s.gradOutputs.map(opt),
      gradInputs: s.gradInputs.map(opt),
      gradParams: s.gradParams.map(opt),
      accumulate: [...s.accumulate],
    })),
    paramGrads: new Map(j.paramGrads),
    gradients: new Map(j.gradients.map(([k, v]) => [k, { of: v.of, shape: [...v.shape] }])),
  };
}

/**
 * manifest.json as the bundle runtime reads it (src/runtime/bundle/program-json.ts); the writer is
 * programManifest() in src/codegen/wgsl/program-manifest.ts, and a round-trip test keeps the two
 * in step.
 */
export interface ProgramManifestJson {
  format: string;
  version: number;
  net: string;
  mode: 'inference' | 'training';
  netParams: Record<string, number | boolean | string>;
  capabilities: {
    maxStorageBufferBindingSize: number;
    maxStorageBuffersPerShaderStage: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupsPerDimension: number;
    /** Present in manifests that record them; the portable values otherwise. */
    maxComputeWorkgroupSizeX?: number;
    maxComputeWorkgroupSizeY?: number;
    maxComputeWorkgroupSizeZ?: number;
    languageFeatures: string[];
    features: string[];
  };
  inputs: string[];
  outputs: { name: string; value: string }[];
  losses: { name: string; value: string }[];
  tensors: {
    id: string;
    role: ProgramTensorRole;
    type: string;
    shape: number[];
    elements: number;
    bytes: number;
    chunking: { chunks: number; chunkElements: number } | null;
    buffer: number | null;
    param: string | null;
  }[];
  buffers: { index: number; kind: 'activation' | 'scratch'; bytes: number; tensors: string[] }[];
  nodes: { id: string; op: string; index: number; fused: string[]; inputs: string[]; params: string[]; output: string; dispatches: number[] }[];
  dispatches: {
    node: string;
    label: string;
    shader: string;
    workgroups: [number, number, number];
    bindings: { name: string; binding: number | null; tensor: string; chunk: number | null }[];
    uniforms: Record<string, number>;
    rng: { prefix: string; stream: number }[];
    quantStats: boolean;
  }[];
  shaders: {
    key: string;
    file: string;
    entryPoint: string;
    workgroupSize: [number, number, number];
    bindings: { name: string; binding: number; kind: 'read-only-storage' | 'storage' | 'uniform'; element: StorageElement | null }[];
    uniforms: { name: string; type: UniformScalar; offset: number }[];
    uniformBytes: number;
  }[];
}


/** The bundle of a net: its inference program and graph, and for training the training graph and plan. */
export function netBundle(program: WgslProgram, graph: Graph, iface: NetInterface, lpcVersion: string, training?: { graph: Graph; plan: BackwardPlan }): NetBundle {
  const shaders: Record<string, string> = {};
  for (const [key, s] of program.shaders) shaders[key] = s.code;
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    net: program.net,
    lpc: lpcVersion,
    interface: iface,
    // programManifest's JSON has exactly this shape (checked by test/codegen/ts/bundle-format.test.ts).
    manifest: programManifest(program) as unknown as ProgramManifestJson,
    shaders,
    graph: encodeGraph(graph),
    ...(training ? { training: { graph: encodeGraph(training.graph), plan: encodePlan(training.plan) } } : {}),
  };
}
