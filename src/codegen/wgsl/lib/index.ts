/**
 * The WGSL emission library: a leaf (it imports only src/diag and src/numeric) that op files use
 * to generate their kernels. docs/wgsl.md describes the API.
 */
export * from './capabilities.js';
export * from './codes.js';
export * from './dot4.js';
export * from './expr.js';
export * from './hash.js';
export * from './helper.js';
export * from './packing.js';
export * from './quantizer.js';
export * from './requantize.js';
export * from './rng.js';
export * from './shader-builder.js';
export * from './tensor-accessor.js';
export * from './uniforms.js';
export * from './kernel.js';
