/// <reference types="@webgpu/types" preserve="true" />
/**
 * `lpc/runtime`: what a compiled net module imports (package.json `exports`), in Node and in
 * browsers. Browser-safe: nothing here imports a Node module except through the stand-ins listed
 * in browser-substitutes.ts, which bundlers swap for browser builds.
 */
export { BundledNet, openBundle, type BundledNetOptions, type DeviceChoice, type RunOptions } from './bundled-net.js';
export { LpcError } from './errors.js';
export type { InputArray, InputRecord } from './inputs.js';
export type { LayerStats } from './layer-stats.js';
export type { WeightsSource } from './weights-source.js';
export type { TrainStepOptions, TrainStepResult } from './training.js';
export type { NetBundle } from '../../codegen/ts/bundle-format.js';
export type { NetInterface, OutputInterface, TensorInterface } from '../../codegen/ts/net-interface.js';
export { acquireDevice, tryAcquireDevice, type AcquireOptions, type LpcDevice } from '../webgpu/device.js';
export { DiagnosticError, type Diagnostic } from '../../diag/diagnostic.js';
