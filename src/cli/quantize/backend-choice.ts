import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { BackendFactory } from '../../runtime/quantize/measure.js';
import { QUANTIZE_CODES } from '../../runtime/quantize/codes.js';
import { createTrainBackend, trainBackendNames } from '../../runtime/train/backend-registry.js';

/**
 * Which backend `lpc quantize` and `lpc sweep` run on. Named with --backend: that one (any name the
 * registry knows). Not named: WebGPU, when the registry has it and it finds an adapter; otherwise
 * an error that says why and asks for `--backend cpu` explicitly. Calibrating on the CPU
 * reference takes minutes where a GPU takes seconds, so it is never chosen silently.
 */

export const DEFAULT_BACKEND = 'webgpu';

function noDefault(why: string, notes: Diagnostic[] = []): Diagnostic {
  return error(QUANTIZE_CODES.NO_DEFAULT_BACKEND, `no --backend given, and the default backend ${DEFAULT_BACKEND} cannot be used: ${why}`, undefined, {
    hint: 'run with --backend cpu to use the CPU reference (slow: limit the data with --limit-test and --calib-batches), or set up a WebGPU adapter',
    notes: notes.map((d) => ({ message: `${d.code}: ${d.message}` })),
  });
}

/** A factory for the backend asked for, or a diagnostic when no backend was named and WebGPU is missing from this build. */
export function chooseBackend(name: string | undefined): { factory?: BackendFactory; diagnostics: Diagnostic[] } {
  if (name !== undefined) return { factory: (setup) => createTrainBackend(name, setup), diagnostics: [] };
  if (!trainBackendNames().includes(DEFAULT_BACKEND)) {
    return { diagnostics: [noDefault(`this build registers no ${DEFAULT_BACKEND} training backend (it has ${trainBackendNames().join(', ')})`)] };
  }
  const factory: BackendFactory = async (setup) => {
    const made = await createTrainBackend(DEFAULT_BACKEND, setup);
    if (made.backend) return made;
    return { diagnostics: [noDefault('it did not start (no adapter?)', made.diagnostics)] };
  };
  return { factory, diagnostics: [] };
}
