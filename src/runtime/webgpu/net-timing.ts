/**
 * Per-dispatch GPU time with timestamp queries (the `timestamp-query` feature, requested by
 * device.ts when the adapter has it): each dispatch gets its own compute pass with a timestamp at
 * its beginning and end; the query set is resolved into a buffer and copied out with the run's
 * results, so timing adds no extra submission or wait.
 */
const QUERY_BYTES = 8;

export class PassTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;

  constructor(
    device: GPUDevice,
    readonly passes: number,
  ) {
    this.querySet = device.createQuerySet({ label: 'lpc layer timing', type: 'timestamp', count: Math.max(2, 2 * passes) });
    this.resolveBuffer = device.createBuffer({
      label: 'lpc layer timing (resolved)',
      size: Math.max(2, 2 * passes) * QUERY_BYTES,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
  }

  /** Timestamp writes for pass k. */
  writes(k: number): GPUComputePassTimestampWrites {
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 };
  }

  /** Bytes the resolved timestamps take in a readback buffer. */
  get bytes(): number {
    return 2 * this.passes * QUERY_BYTES;
  }

  /** Records resolving the queries and copying them into `staging` at `offset`. */
  resolve(encoder: GPUCommandEncoder, staging: GPUBuffer, offset: number): void {
    if (this.passes === 0) return;
    encoder.resolveQuerySet(this.querySet, 0, 2 * this.passes, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, staging, offset, this.bytes);
  }

  /** Nanoseconds of each pass from the copied timestamps (0 where the clock went backwards). */
  decode(bytes: ArrayBuffer, offset: number): number[] {
    const stamps = new BigUint64Array(bytes, offset, 2 * this.passes);
    const out: number[] = [];
    for (let k = 0; k < this.passes; k++) {
      const d = stamps[2 * k + 1] - stamps[2 * k];
      out.push(d > 0n ? Number(d) : 0);
    }
    return out;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
  }
}
