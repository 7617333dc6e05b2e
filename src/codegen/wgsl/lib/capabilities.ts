/**
 * What the shader library may assume about the adapter it generates for. The runtime builds this
 * from the device (src/runtime/webgpu/capabilities.ts); tests and offline compilation (`lpc
 * compile` without a device) use PORTABLE_WGSL, the guarantees of every WebGPU implementation.
 */
export interface WgslCapabilities {
  /** WGSL language features of the implementation (navigator.gpu.wgslLanguageFeatures). */
  languageFeatures: ReadonlySet<string>;
  /** Device features the kernels may use (`shader-f16`, `subgroups`), as enabled on the device. */
  features: ReadonlySet<string>;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupSizeY: number;
  maxComputeWorkgroupSizeZ: number;
  maxStorageBuffersPerShaderStage: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
  /**
   * Whether the adapter is a CPU implementation (lavapipe, SwiftShader), where kernels favour
   * register tiles and few barriers over workgroup-memory tiles. Absent: unknown.
   */
  cpuAdapter?: boolean;
  /**
   * The smallest subgroup size the adapter may run a kernel with (adapter.info.subgroupMinSize),
   * when the `subgroups` feature is enabled. Absent: unknown (WebGPU guarantees at least 4).
   */
  subgroupMinSize?: number;
}

/** The language feature that provides dot4I8Packed / dot4U8Packed / pack4xI8 and friends. */
export const PACKED_DOT_FEATURE = 'packed_4x8_integer_dot_product';

/** The WebGPU specification's default limits and no optional features. */
export const PORTABLE_WGSL: WgslCapabilities = Object.freeze({
  languageFeatures: new Set<string>(),
  features: new Set<string>(),
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupSizeZ: 64,
  maxStorageBuffersPerShaderStage: 8,
  maxStorageBufferBindingSize: 134217728,
  maxComputeWorkgroupsPerDimension: 65535,
});

export function hasPackedDot(c: WgslCapabilities): boolean {
  return c.languageFeatures.has(PACKED_DOT_FEATURE);
}
