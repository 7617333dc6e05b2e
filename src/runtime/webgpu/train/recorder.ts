import { DiagnosticError, error } from '../../../diag/diagnostic.js';
import { WEBGPU_CODES } from '../codes.js';
import type { LpcDevice } from '../device.js';
import { withErrorScope } from '../error-scope.js';
import { recordDispatch, type PreparedDispatches } from '../net-dispatches.js';
import { copyTensorOut, readbackBytes, type DeviceTensor } from '../net-tensors.js';
import { awaitGpu, type WaitEstimator } from '../wait.js';

/**
 * One submission of the WebGPU trainer: dispatch sets recorded into one command encoder, values
 * copied into one readback buffer (a value a later node may overwrite is copied right after the
 * dispatch that ends its node, at a mark), one submit, one wait with the wait strategy of
 * wait.ts (a timer for most of the expected time, so Node's polling does not take lavapipe's
 * cores), and the readback decoded by the caller.
 */
export class Submission {
  readonly encoder: GPUCommandEncoder;
  private size = 0;
  private readonly staging: GPUBuffer;
  private pass: GPUComputePassEncoder | undefined;

  /** `capacity`: bytes of everything the caller will copy (readbackBytes of each, rounded up to 8). */
  constructor(
    private readonly device: LpcDevice,
    readonly label: string,
    private readonly capacity: number,
  ) {
    this.encoder = device.device.createCommandEncoder({ label });
    this.staging = device.device.createBuffer({ label: `${label} readback`, size: Math.max(8, capacity), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Bytes a copy of `tensor` (or of its first `words` words) takes in the readback buffer. */
  static bytes(tensor: DeviceTensor, words?: number): number {
    return Math.ceil((words !== undefined ? words * 4 : readbackBytes(tensor)) / 8) * 8;
  }

  /**
   * Records a prepared set; `marks` maps a dispatch count to copies to make once that many
   * dispatches are recorded (the values of the node ending there).
   */
  dispatch(set: PreparedDispatches, marks: ReadonlyMap<number, readonly DeviceTensor[]> = new Map()): Map<DeviceTensor, number> {
    const at = new Map<DeviceTensor, number>();
    set.list.forEach((p, k) => {
      this.pass ??= this.encoder.beginComputePass({ label: this.label });
      recordDispatch(this.pass, p);
      const copies = marks.get(k + 1);
      if (copies) for (const t of copies) at.set(t, this.copy(t));
    });
    for (const [count, copies] of marks) if (count === 0 || count > set.list.length) for (const t of copies) at.set(t, this.copy(t));
    this.endPass();
    return at;
  }

  /** Copies a tensor (its first `words` words, or all) into the readback buffer; returns its byte offset there. */
  copy(tensor: DeviceTensor, words?: number): number {
    this.endPass();
    const at = this.size;
    this.size += Submission.bytes(tensor, words);
    if (this.size > this.capacity) throw new Error(`internal: ${this.label} reads back more than the ${this.capacity} bytes planned`);
    if (words !== undefined) {
      const r = tensor.ranges[0];
      this.encoder.copyBufferToBuffer(r.buffer, r.offset, this.staging, at, words * 4);
    } else {
      copyTensorOut(this.encoder, tensor, this.staging, at);
    }
    return at;
  }

  /** Submits and waits; resolves to the readback bytes (the submission cannot be used again). */
  async run(key: string, estimator: WaitEstimator): Promise<ArrayBuffer> {
    this.endPass();
    const gpu = this.device.device;
    const staging = this.staging;
    try {
      await withErrorScope(gpu, this.label, () => gpu.queue.submit([this.encoder.finish()]));
      const submitted = performance.now();
      try {
        await awaitGpu(() => staging.mapAsync(GPUMapMode.READ), { key, estimator, submittedAt: submitted });
      } catch (e) {
        const lost = await Promise.race([this.device.lost, Promise.resolve(undefined)]);
        throw new DiagnosticError([
          lost ??
            error(WEBGPU_CODES.READBACK_FAILED, `reading the results of ${this.label} back from the GPU failed: ${e instanceof Error ? e.message : String(e)}`, undefined, {
              hint: 'the device was probably lost; run again, or use `--backend cpu`',
            }),
        ]);
      }
      const bytes = staging.getMappedRange().slice(0);
      staging.unmap();
      return bytes;
    } finally {
      staging.destroy();
    }
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = undefined;
  }
}

/** The f32 values of a tensor copied at `at` (f32 tensors only). */
export function f32At(bytes: ArrayBuffer, at: number, count: number): Float32Array {
  return new Float32Array(bytes, at, count);
}

export function u32At(bytes: ArrayBuffer, at: number, count: number): Uint32Array {
  return new Uint32Array(bytes, at, count);
}
