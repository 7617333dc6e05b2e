/**
 * Stream ids: the `stream` key of the counter-based generator (src/numeric/rng.ts), which with
 * the user seed and the training step decides every random draw of a run. The WGSL backend must
 * derive the same ids from the same (pipelined) graph, or its stochastic rounding and dropout
 * masks would differ from the CPU reference's.
 *
 *   node draws          stream = i                       i = the node's index in graph.nodes
 *                                                         (after the pipeline). Its op (dropout)
 *                                                         and its epilogues (an output quantizer
 *                                                         folded by fusion) draw from it.
 *   parameter quantizer stream = i | (p + 1) << 24       p = the position of the parameter among
 *                                                         the node's parameter inputs; used when
 *                                                         the node rounds its own weights (fusion's
 *                                                         ParamQuantizer, or a declared `weights:`
 *                                                         type left for the executor).
 *   output enforcement  stream = i | 255 << 24           a fixed-typed node output whose op left
 *                                                         values off the type's grid (dropout's
 *                                                         training scale) is rounded with it.
 *   random inputs       stream = INPUT_STREAM_BASE + m   m = the input's index in graph.inputs;
 *                                                         step 0.
 *   parameter fillers   stream = paramStream(id)         a hash of the parameter's id, so adding a
 *                                                         layer does not change the initial
 *                                                         values of the others; step FILLER_STEP.
 *
 * Elements are indexed by their flat (row-major) position. Node indices stay below 2^24 (no net
 * comes near 16 million nodes) and the top byte tells the families apart: 0 node draws, 1..253
 * parameter quantizers, 254 random inputs, 255 output enforcement. Filler streams may coincide
 * with any of these, but fillers draw with step FILLER_STEP, which no run uses.
 */

export const NODE_STREAM_LIMIT = 1 << 24;
export const OUTPUT_ENFORCEMENT_SUB = 255;
/** Sub-stream 254 is reserved for random inputs, so parameter positions stay below 253. */
export const INPUT_STREAM_BASE = 0xfe000000;
export const MAX_PARAM_QUANTIZERS = 253;

export function nodeStream(nodeIndex: number): number {
  return nodeIndex >>> 0;
}

export function paramQuantizerStream(nodeIndex: number, paramPosition: number): number {
  if (paramPosition >= MAX_PARAM_QUANTIZERS) throw new RangeError(`a node has at most ${MAX_PARAM_QUANTIZERS} quantized parameters`);
  return (nodeIndex | ((paramPosition + 1) << 24)) >>> 0;
}

export function outputEnforcementStream(nodeIndex: number): number {
  return (nodeIndex | (OUTPUT_ENFORCEMENT_SUB << 24)) >>> 0;
}

export function inputStream(inputIndex: number): number {
  return (INPUT_STREAM_BASE + inputIndex) >>> 0;
}

/** FNV-1a of the parameter id's UTF-16 code units: a stable u32 per name. */
export function paramStream(paramId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < paramId.length; i++) {
    h ^= paramId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
