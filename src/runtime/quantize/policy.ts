/**
 * What `lpc quantize` is asked to do for one net: the widths, the percentile, and the policies
 * that decide which tensors get a type (the seed kept the net input and the final logits in f32).
 */
export interface QuantizePolicy {
  /** Width of weight (and bias) types. */
  weightBits: number;
  /** Width of activation types (layer outputs, and the net input when it is quantized). */
  actBits: number;
  /** Share of |x| a type must hold, as a fraction (0.9999 for --percentile 99.99). */
  percentile: number;
  /** `own`: a bias gets a type from its own statistics; `same`: the weights' type (ADaPTION's round_bias). */
  bias: 'same' | 'own';
  /** Keep the image input f32 (true) or give it a type. */
  keepInputF32: boolean;
  /** Keep the logits (what the losses read) and everything computed from them f32. */
  keepLogitsF32: boolean;
  /** Keep every layer that declares a type as declared, and the inputs' types; choose only for the others. */
  keepTypes: boolean;
  /** False: weights and biases only (activations stay f32), the sweep's `weights` configuration. */
  activations: boolean;
}

export const DEFAULT_PERCENTILE = 0.9999;

export function defaultPolicy(bits: number): QuantizePolicy {
  return {
    weightBits: bits,
    actBits: bits,
    percentile: DEFAULT_PERCENTILE,
    bias: 'own',
    keepInputF32: true,
    keepLogitsF32: true,
    keepTypes: false,
    activations: true,
  };
}

/** The sweep's configurations: weights only, or weights and activations. */
export type SweepConfig = 'weights' | 'weights+acts';
export const SWEEP_CONFIGS: readonly SweepConfig[] = ['weights', 'weights+acts'];
