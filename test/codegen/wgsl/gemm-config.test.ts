import { describe, expect, it } from 'vitest';
import { PORTABLE_WGSL, type WgslCapabilities } from '../../../src/codegen/wgsl/lib/capabilities.js';
import type { KernelRequest } from '../../../src/codegen/wgsl/lib/kernel.js';
import { ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { chooseConfig, configProblem, configRecord, gemmCandidates, parseConfig, type GemmConfig, type GemmShape } from '../../../src/codegen/wgsl/lib/templates/gemm-config.js';
import { F32, fixed } from '../../../src/numeric/number-type.js';
import { convOp } from '../../../src/ops/conv.js';
import { denseOp } from '../../../src/ops/dense.js';

/** The tile configurations of the conv / dense kernels, without a device. */

const SHAPE: GemmShape = { rows: 256, cols: 56 * 56, batches: 1, k: 2304, lanes: 1, tileElementBytes: 4, rowRun: 56 };
const LAVAPIPE: WgslCapabilities = { ...PORTABLE_WGSL, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupSizeX: 1024, features: new Set(['subgroups']), subgroupMinSize: 8, cpuAdapter: true };
const GPU: WgslCapabilities = { ...PORTABLE_WGSL, cpuAdapter: false };

describe('GEMM tile configurations', () => {
  it('round-trips through the record form lpc tune caches', () => {
    for (const c of gemmCandidates(SHAPE, LAVAPIPE)) expect(parseConfig(configRecord(c))).toEqual(c);
    expect(parseConfig({ variant: 7, rows: 1, cols: 1, wgx: 1, wgy: 1, tileK: 0 })).toBeUndefined();
    expect(parseConfig({ variant: 0, rows: 0, cols: 4, wgx: 64, wgy: 1, tileK: 0 })).toBeUndefined();
    // records from before the subgroup field read as no subgroup sharing
    expect(parseConfig({ variant: 0, rows: 8, cols: 8, wgx: 64, wgy: 1, tileK: 0 })?.subgroup).toBe(0);
  });

  it('lists only candidates that fit the shape and the adapter, register tiles first on a CPU adapter', () => {
    const cpu = gemmCandidates(SHAPE, LAVAPIPE);
    expect(cpu.length).toBeGreaterThan(5);
    for (const c of cpu) expect(configProblem(c, SHAPE, LAVAPIPE)).toBeUndefined();
    expect(cpu[0]).toMatchObject({ variant: 'registers', rows: 16, cols: 8, subgroup: 8 });
    expect(new Set(cpu.map((c) => c.variant))).toEqual(new Set(['registers', 'workgroup', 'flat']));
    // a GPU gets the workgroup layout by default, and no subgroup tiles without the feature
    const gpu = gemmCandidates(SHAPE, GPU);
    expect(gpu[0].variant).toBe('workgroup');
    expect(gpu.every((c) => c.subgroup === 0)).toBe(true);
  });

  it('keeps the conv window: columns that divide the output row', () => {
    expect(gemmCandidates({ ...SHAPE, rowRun: 28 }, LAVAPIPE)[0].cols).toBe(4);
    expect(gemmCandidates({ ...SHAPE, rowRun: 14 }, LAVAPIPE)[0].cols).toBe(2);
    expect(gemmCandidates({ ...SHAPE, rowRun: 14, lanes: 4 }, LAVAPIPE)[0].cols).toBe(8);
  });

  it('rejects layouts that would split a packed word, exceed workgroup memory or lack subgroups', () => {
    const reg: GemmConfig = { variant: 'registers', rows: 8, cols: 2, wgx: 64, wgy: 1, tileK: 0, subgroup: 0 };
    expect(configProblem(reg, { ...SHAPE, lanes: 4 }, LAVAPIPE)).toContain('words');
    expect(configProblem({ ...reg, cols: 4 }, { ...SHAPE, cols: 25, lanes: 4 }, LAVAPIPE)).toContain('words');
    expect(configProblem({ ...reg, subgroup: 8 }, SHAPE, PORTABLE_WGSL)).toContain('no subgroups');
    expect(configProblem({ ...reg, subgroup: 8 }, SHAPE, { ...LAVAPIPE, subgroupMinSize: 4 })).toContain('subgroups of 4');
    const wg: GemmConfig = { variant: 'workgroup', rows: 8, cols: 8, wgx: 16, wgy: 16, tileK: 64, subgroup: 0 };
    expect(configProblem(wg, SHAPE, PORTABLE_WGSL)).toContain('workgroup memory');
    // rows of 25 codes at 8 bits: only the flat layout stores whole words
    const odd = gemmCandidates({ ...SHAPE, cols: 25, lanes: 4, rowRun: 5 }, LAVAPIPE);
    expect(odd.length).toBeGreaterThan(0);
    expect(odd.every((c) => c.variant === 'flat' && c.cols % 4 === 0)).toBe(true);
  });

  it('uses a request config that fits, and falls back to the default for one that does not', () => {
    const flat = { variant: 2, rows: 1, cols: 8, wgx: 32, wgy: 1, tileK: 0, subgroup: 0 };
    expect(chooseConfig(flat, SHAPE, LAVAPIPE)).toMatchObject({ variant: 'flat', cols: 8, wgx: 32 });
    const tooBig = { variant: 1, rows: 16, cols: 16, wgx: 16, wgy: 16, tileK: 64, subgroup: 0 };
    expect(chooseConfig(tooBig, SHAPE, LAVAPIPE)).toEqual(gemmCandidates(SHAPE, LAVAPIPE)[0]);
  });

  it('conv and dense offer their candidates through wgsl.configs, and each builds a shader', () => {
    const base = { capabilities: LAVAPIPE, node: 'n', paramQuantizers: [undefined, undefined], paramQuantizerStreams: [undefined, undefined], epilogue: [], training: false, stream: 0 };
    const conv: KernelRequest = {
      ...base,
      inputs: [{ id: 'x', type: F32, shape: [1, 3, 8, 8] }],
      params: [
        { id: 'w', type: fixed(2, 6), shape: [4, 3, 3, 3] },
        { id: 'b', type: F32, shape: [4] },
      ],
      output: { id: 'y', type: fixed(4, 4), shape: [1, 4, 8, 8] },
      attrs: { filters: 4, kernel: [3, 3], stride: [1, 1], pad: [1, 1], dilation: [1, 1], group: 1, bias_term: true },
      accumulate: 'f32',
    };
    const dense: KernelRequest = {
      ...base,
      inputs: [{ id: 'x', type: fixed(4, 4), shape: [2, 8] }],
      params: [
        { id: 'w', type: fixed(2, 6), shape: [4, 8] },
        { id: 'b', type: F32, shape: [4] },
      ],
      output: { id: 'y', type: F32, shape: [2, 4] },
      attrs: { units: 4, axis: 1, transpose: false, bias_term: true },
      accumulate: 'exact',
    };
    for (const [op, req] of [
      [convOp, conv],
      [denseOp, dense],
    ] as const) {
      const configs = op.wgsl!.configs!(req);
      expect(configs.length).toBeGreaterThan(3);
      for (const config of configs) {
        const [d] = op.wgsl!.forward({ ...req, config });
        expect(d.shader.code).toContain('fn lpc_gemm_out');
        expect(d.shader.code.startsWith('enable subgroups;')).toBe(parseConfig(config)!.subgroup > 0);
        // every binding names a tensor of the request
        for (const b of d.bindings) expect(['x', 'w', 'b', 'y']).toContain(b.tensor);
      }
    }
  });

  it('ShaderBuilder.enable writes the directive first, once', () => {
    const b = new ShaderBuilder({ capabilities: LAVAPIPE, workgroupSize: 8 });
    b.enable('subgroups');
    b.enable('subgroups');
    const code = b.main(['let lane = subgroupExclusiveAdd(1u);']).build().code;
    expect(code.startsWith('enable subgroups;\n')).toBe(true);
    expect(code.match(/enable subgroups;/g)).toHaveLength(1);
  });
});
