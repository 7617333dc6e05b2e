/**
 * What every benchmarked engine (lpc's and the peers') offers the harness.
 *
 * An engine builds its own model for a job in `prepare` (untimed: model building, weight upload,
 * the input converted to the engine's layout), and `Prepared.run` is the timed part: from handing
 * the input batch to the engine until its output is back in host memory, so every engine pays
 * for its input upload, its dispatches and its readback.
 */
import type { LayerWeights } from '../weights.js';
import type { BenchModel, Precision } from '../workloads.js';

export interface BenchJob {
  model: BenchModel;
  precision: Precision;
  weights: readonly LayerWeights[];
  /** The input batch, NCHW. */
  input: Float32Array;
}

export interface RunOutput {
  data: ArrayLike<number>;
  /** The output's logical shape, NCHW (or [N, classes]). */
  shape: number[];
  /** How `data` is ordered: TF.js keeps 4-d activations NHWC. */
  layout: 'nchw' | 'nhwc';
}

export interface Prepared {
  /** One timed inference of the prepared input; resolves once the output is in host memory. */
  run(): Promise<RunOutput>;
  dispose(): Promise<void>;
}

export interface Engine {
  /** Stable id used in results files: 'tfjs-webgpu', 'onnxruntime-cpu', 'lpc-webgpu', 'lpc-cpu'. */
  readonly id: string;
  /** Who made it: lpc's own engines are compared against the peers. */
  readonly side: 'lpc' | 'peer';
  /** One line for the report: what runs, on what. */
  readonly description: string;
  /** How the engine waits for its result (stated per engine in RESULTS.md). */
  readonly waitStrategy: string;
  /**
   * Whether the first runs do one-time work (shader or kernel compilation) that more warm-up runs
   * should get past. The CPU reference compiles nothing: one warm-up run is enough, which keeps
   * its minutes-long VGG16 runs to two.
   */
  readonly compilesLazily: boolean;
  /** Loads the engine; resolves to why it cannot run here, or undefined when it can. */
  init(): Promise<string | undefined>;
  /** Why the engine does not run this job (e.g. fixed-point on a peer), or undefined. */
  unsupported(job: BenchJob): string | undefined;
  prepare(job: BenchJob): Promise<Prepared>;
  dispose(): Promise<void>;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
