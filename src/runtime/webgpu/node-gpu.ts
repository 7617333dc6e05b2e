/**
 * The Node side of device acquisition: the `webgpu` package (Dawn). Imported dynamically by
 * device.ts, so browser bundles never pull in a native module.
 *
 * One Dawn instance serves the whole process and is held by this module for the process's life.
 * The object `create()` returns must outlive every device made from it: if it is garbage-collected
 * while a device is alive, Dawn crashes inside its callback flush.
 */
import { tmpdir } from 'node:os';
import { create, globals } from 'webgpu';

let instance: GPU | undefined;

export function nodeGpu(flags: readonly string[] = []): GPU {
  if (instance) return instance;
  // Mesa's drivers warn on stderr when this is unset; any writable directory will do.
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  // GPUBufferUsage, GPUMapMode, ... as globals, like in a browser (without replacing existing ones).
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(globals as Record<string, unknown>)) if (!(k in g)) g[k] = v;
  instance = create([...flags]);
  return instance;
}
