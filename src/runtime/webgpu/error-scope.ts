import { DiagnosticError, error, type Diagnostic } from '../../diag/diagnostic.js';
import { WEBGPU_CODES } from './codes.js';

/**
 * Runs `fn` inside WebGPU error scopes (validation, out-of-memory, internal) and turns what the
 * GPU reports into diagnostics that name `label` (the layer or kernel), instead of the
 * implementation's uncaptured-error console output. Resolves to fn's result when the GPU reported
 * nothing; otherwise throws a DiagnosticError with one diagnostic per error.
 *
 * Scopes see errors of the calls made while they are open, including queue.submit's validation;
 * they do not see failures of work already running on the GPU (those surface as a lost device).
 */
export async function withErrorScope<T>(device: GPUDevice, label: string, fn: () => T | Promise<T>): Promise<T> {
  const filters: GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];
  const pushed: GPUErrorFilter[] = [];
  for (const f of filters) {
    try {
      device.pushErrorScope(f);
      pushed.push(f);
    } catch {
      // an implementation without the `internal` filter: the other scopes still work
    }
  }
  let result: T | undefined;
  let thrown: unknown;
  let failed = false;
  try {
    result = await fn();
  } catch (e) {
    failed = true;
    thrown = e;
  }
  const diagnostics: Diagnostic[] = [];
  for (const f of [...pushed].reverse()) {
    const err = await device.popErrorScope();
    if (err) diagnostics.push(gpuErrorDiagnostic(f, err, label));
  }
  if (diagnostics.length > 0) throw new DiagnosticError(diagnostics);
  if (failed) throw thrown;
  return result as T;
}

export function gpuErrorDiagnostic(filter: GPUErrorFilter, err: GPUError, label: string): Diagnostic {
  const text = err.message.trim();
  switch (filter) {
    case 'out-of-memory':
      return error(WEBGPU_CODES.GPU_OUT_OF_MEMORY, `the GPU ran out of memory in '${label}': ${text}`, undefined, {
        hint: 'use a smaller batch, narrower fixed-point types, or `--backend cpu`',
      });
    case 'internal':
      return error(WEBGPU_CODES.GPU_INTERNAL, `the WebGPU implementation failed in '${label}': ${text}`, undefined, {
        hint: 'update the GPU driver (or Mesa); please report it with `lpc info --gpu`',
      });
    default:
      return error(WEBGPU_CODES.GPU_VALIDATION, `the GPU rejected a command of '${label}': ${text}`, undefined, {
        hint: 'this is a bug in lpc; please report it with the net, the command and `lpc info --gpu`',
      });
  }
}
