import type { ProgramNode, WgslProgram } from '../../codegen/wgsl/program-types.js';
import { packUniforms } from '../../codegen/wgsl/lib/uniforms.js';
import { formatNumberType } from '../../numeric/number-type.js';
import type { AfterNodeHook } from '../webgpu/executor.js';
import type { DeviceTensor } from '../webgpu/net-tensors.js';
import type { CachedPipeline, PipelineCache } from '../webgpu/pipeline-cache.js';
import { emptySlot, keyToF32, STATS_SLOT_WORDS, statsKernel, type StatsKernel } from './stats-kernel.js';

/**
 * Per-layer statistics of a compiled net's last run, computed on the GPU (SEMANTICS.md section 6):
 * after each node the executor calls `hook`, which records the statistics kernel over the node's
 * output (stats-kernel.ts) and a copy of the quantizer counters the kernels keep (saturated, NaN:
 * cumulative over the run, so one layer's events are the difference from the layer before).
 * `read()` copies the small counter buffer back once.
 */
export interface LayerStats {
  /** The node: a layer with what it fused (`op`: `conv+relu+quantize`). */
  layer: string;
  op: string;
  /** The value the layer writes, and its number type as spelled in the language. */
  output: string;
  type: string;
  count: number;
  /** Elements exactly 0, and their share (activation sparsity). */
  zeros: number;
  sparsity: number;
  /** Elements the layer's quantizers clamped (infinities included), and their share. */
  saturated: number;
  saturation: number;
  /** NaN elements (for a quantized output: NaN before the quantizer, which stores 0). */
  nan: number;
  infinite: number;
  /** Over the finite elements; null when there are none. */
  min: number | null;
  max: number | null;
}

interface Slot {
  node: ProgramNode;
  kernel: StatsKernel;
  pipeline: CachedPipeline;
  uniforms: GPUBuffer;
  /** Elements counted in the last run (fewer than the tensor's for a partial batch). */
  counted: number;
  bindGroup?: { group: GPUBindGroup; ranges: DeviceTensor['ranges'] };
}

const QUANT_WORDS = 2;

export class LayerStatsCollector {
  private readonly slots = new Map<string, { index: number; slot: Slot }>();
  private ran = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly program: WgslProgram,
    private readonly counters: GPUBuffer,
    private readonly uniformBuffers: GPUBuffer[],
    slots: Slot[],
  ) {
    slots.forEach((slot, index) => this.slots.set(slot.node.id, { index, slot }));
  }

  /** Compiles the kernels for the program's node outputs (through the shared cache) and their uniforms. */
  static async create(device: GPUDevice, cache: PipelineCache, program: WgslProgram): Promise<LayerStatsCollector> {
    const nodes = program.nodes.filter((n) => program.tensors.has(n.output));
    const kernels = new Map<string, StatsKernel>();
    const slots: Slot[] = [];
    const uniformBuffers: GPUBuffer[] = [];
    for (const [index, node] of nodes.entries()) {
      const t = program.tensors.get(node.output)!;
      const key = `${formatNumberType(t.type)}/${t.chunking?.chunks ?? 1}/${t.chunking?.chunkElements ?? 0}`;
      let kernel = kernels.get(key);
      if (!kernel) {
        kernel = statsKernel(program.capabilities, t.type, t.chunking);
        kernels.set(key, kernel);
      }
      const pipeline = await cache.get(kernel.shader, `statistics of layer ${node.id}`);
      const uniforms = device.createBuffer({ label: `statistics of ${node.id}`, size: kernel.shader.uniforms.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(uniforms, 0, packUniforms(kernel.shader.uniforms, kernel.uniforms(t.elements, index)));
      uniformBuffers.push(uniforms);
      slots.push({ node, kernel, pipeline, uniforms, counted: t.elements });
    }
    const words = slots.length * (STATS_SLOT_WORDS + QUANT_WORDS);
    const counters = device.createBuffer({
      label: `${program.net}: layer statistics`,
      size: Math.max(16, words * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    return new LayerStatsCollector(device, program, counters, uniformBuffers, slots);
  }

  /**
   * Clears the counters; call before each run (queue writes land before the run's commands). For
   * a partial batch (`items` of `batch`), outputs whose axis 0 is the batch are counted over the
   * given items only, so the zeros of the padding do not count as sparsity.
   */
  reset(items?: number, batch?: number): void {
    const n = this.slots.size;
    const init = new Uint32Array(n * (STATS_SLOT_WORDS + QUANT_WORDS));
    for (let k = 0; k < n; k++) init.set(emptySlot(), k * STATS_SLOT_WORDS);
    this.device.queue.writeBuffer(this.counters, 0, init);
    for (const { index, slot } of this.slots.values()) {
      const t = this.program.tensors.get(slot.node.output)!;
      const batched = items !== undefined && batch !== undefined && t.shape.length > 0 && t.shape[0] === batch;
      const counted = batched ? (t.elements / batch) * items : t.elements;
      if (counted === slot.counted) continue;
      slot.counted = counted;
      this.device.queue.writeBuffer(slot.uniforms, 0, packUniforms(slot.kernel.shader.uniforms, slot.kernel.uniforms(counted, index)));
    }
    this.ran = true;
  }

  /** The executor hook: the statistics dispatch of this node, then a snapshot of the quantizer counters. */
  readonly hook: AfterNodeHook = (encoder, node, output, quantStats) => {
    const entry = this.slots.get(node.id);
    if (!entry) return;
    const { index, slot } = entry;
    const group = this.bindGroupFor(slot, output);
    const pass = encoder.beginComputePass({ label: `statistics of ${node.id}` });
    const [x, y, z] = slot.kernel.workgroups(slot.counted);
    if (slot.counted > 0) {
      pass.setPipeline(slot.pipeline.pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(x, y, z);
    }
    pass.end();
    encoder.copyBufferToBuffer(quantStats, 0, this.counters, this.quantOffset(index), QUANT_WORDS * 4);
  };

  /** The statistics of the last run, layer by layer (empty before the first run). */
  async read(): Promise<LayerStats[]> {
    if (!this.ran) return [];
    const size = this.counters.size;
    const staging = this.device.createBuffer({ label: 'layer statistics readback', size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const encoder = this.device.createCommandEncoder({ label: 'layer statistics readback' });
      encoder.copyBufferToBuffer(this.counters, 0, staging, 0, size);
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const words = new Uint32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      return this.decode(words);
    } finally {
      staging.destroy();
    }
  }

  destroy(): void {
    this.counters.destroy();
    for (const b of this.uniformBuffers) b.destroy();
  }

  private quantOffset(index: number): number {
    return (this.slots.size * STATS_SLOT_WORDS + index * QUANT_WORDS) * 4;
  }

  /** Bind groups follow the net's buffers, which change when the net is created again (new weights). */
  private bindGroupFor(slot: Slot, output: DeviceTensor): GPUBindGroup {
    if (slot.bindGroup && slot.bindGroup.ranges === output.ranges) return slot.bindGroup.group;
    const shader = slot.kernel.shader;
    const entries: GPUBindGroupEntry[] = shader.bindings.map((b) => {
      if (b.kind === 'uniform') return { binding: b.binding, resource: { buffer: slot.uniforms } };
      if (b.name === slot.kernel.countersBinding) return { binding: b.binding, resource: { buffer: this.counters } };
      const chunk = slot.kernel.tensorBindings.indexOf(b.name);
      const r = output.ranges[chunk];
      if (!r) throw new Error(`internal: statistics of '${slot.node.id}' have no chunk ${chunk} of its output`);
      return { binding: b.binding, resource: { buffer: r.buffer, offset: r.offset, size: r.size } };
    });
    const group = this.device.createBindGroup({ label: `statistics of ${slot.node.id}`, layout: slot.pipeline.bindGroupLayout, entries });
    slot.bindGroup = { group, ranges: output.ranges };
    return group;
  }

  private decode(words: Uint32Array): LayerStats[] {
    const out: LayerStats[] = [];
    let before = { saturated: 0, nan: 0 };
    for (const { index, slot } of this.slots.values()) {
      const t = this.program.tensors.get(slot.node.output)!;
      const at = index * STATS_SLOT_WORDS;
      const q = this.quantOffset(index) / 4;
      const cumulative = { saturated: words[q], nan: words[q + 1] };
      const saturated = cumulative.saturated - before.saturated;
      const quantNan = cumulative.nan - before.nan;
      before = cumulative;
      const count = slot.counted;
      const [zeros, nan, infinite, minKey, maxKey] = [words[at], words[at + 1], words[at + 2], words[at + 3], words[at + 4]];
      const finite = count - nan - infinite > 0;
      out.push({
        layer: slot.node.id,
        op: slot.node.fused.join('+'),
        output: slot.node.output,
        type: formatNumberType(t.type),
        count,
        zeros,
        sparsity: count === 0 ? 0 : zeros / count,
        saturated,
        saturation: count === 0 ? 0 : saturated / count,
        nan: nan + quantNan,
        infinite,
        min: finite ? keyToF32(minKey) : null,
        max: finite ? keyToF32(maxKey) : null,
      });
    }
    return out;
  }
}
