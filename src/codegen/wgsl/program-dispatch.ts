import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Node } from '../../ir/graph.js';
import { CODEGEN_CODES } from '../codes.js';
import type { WgslCapabilities } from './lib/capabilities.js';
import { identifier } from './lib/expr.js';
import type { KernelBinding, KernelDispatch } from './lib/kernel.js';
import { QUANT_STATS_BINDING } from './lib/quantizer.js';
import type { ProgramTensor } from './program-types.js';

/**
 * Checks one dispatch a kernel returned against its own shader and the tensors of its request,
 * so a generator bug is reported at the layer when the net is compiled, not as a WebGPU
 * validation error (or a silent wrong result) when it runs:
 *  - every storage binding of the shader is bound exactly once, to a tensor of the request or a
 *    scratch buffer the dispatch declared (the quantizer statistics buffer is the executor's);
 *  - a chunked tensor is bound chunk by chunk, with valid chunk numbers;
 *  - every uniform field gets a value (the rng keys from `rng`), and no unknown one is given;
 *  - the workgroup grid fits the adapter.
 */

/** Uniform field names holding the keys of an rng prefix (rngKeyUniforms in lib/rng.ts). */
export function rngKeyFields(prefix: string): [string, string] {
  return [identifier(`${prefix}_key_a`), identifier(`${prefix}_key_b`)];
}

export function checkDispatch(
  node: Node,
  d: KernelDispatch,
  tensors: ReadonlyMap<string, ProgramTensor>,
  scratch: ReadonlySet<string>,
  caps: WgslCapabilities,
): Diagnostic[] {
  const problems: string[] = [];
  const storage = d.shader.bindings.filter((b) => b.kind !== 'uniform');
  const byName = new Map<string, KernelBinding>();
  for (const kb of d.bindings) {
    if (byName.has(kb.name)) problems.push(`binding '${kb.name}' is bound twice`);
    byName.set(kb.name, kb);
    if (!storage.some((b) => b.name === kb.name)) problems.push(`binding '${kb.name}' is not a storage binding of its shader`);
    const t = tensors.get(kb.tensor);
    if (!t && !scratch.has(kb.tensor)) {
      problems.push(`binding '${kb.name}' names tensor '${kb.tensor}', which is neither in the request nor declared as scratch`);
      continue;
    }
    if (t?.chunking) {
      if (kb.chunk === undefined || !Number.isInteger(kb.chunk) || kb.chunk < 0 || kb.chunk >= t.chunking.chunks) {
        problems.push(`binding '${kb.name}' of chunked tensor '${kb.tensor}' needs a chunk in 0..${t.chunking.chunks - 1}, got ${String(kb.chunk)}`);
      }
    } else if (kb.chunk !== undefined && kb.chunk !== 0) {
      problems.push(`binding '${kb.name}' asks for chunk ${kb.chunk} of '${kb.tensor}', which is not chunked`);
    }
  }
  for (const b of storage) {
    if (!byName.has(b.name) && b.name !== QUANT_STATS_BINDING) problems.push(`the shader's binding '${b.name}' is not bound to any tensor`);
  }

  const fields = new Set(d.shader.uniforms.fields.map((f) => f.name));
  const given = new Set(Object.keys(d.uniforms));
  for (const r of d.rng ?? []) for (const k of rngKeyFields(r.prefix)) given.add(k);
  for (const name of given) if (!fields.has(name)) problems.push(`uniform '${name}' is not a field of the shader`);
  for (const name of fields) if (!given.has(name)) problems.push(`the shader's uniform '${name}' gets no value`);
  for (const [name, v] of Object.entries(d.uniforms)) if (!Number.isFinite(v)) problems.push(`uniform '${name}' is ${v}`);

  const max = caps.maxComputeWorkgroupsPerDimension;
  if (d.workgroups.length !== 3 || d.workgroups.some((w) => !Number.isInteger(w) || w < 0 || w > max)) {
    problems.push(`workgroups [${d.workgroups.join(', ')}] must be three whole numbers of at most ${max}`);
  }
  return problems.map((p) =>
    error(CODEGEN_CODES.DISPATCH_CONTRACT, `the kernel of layer '${node.id}' (${node.op}), dispatch '${d.label}': ${p}`, node.span, {
      hint: 'this is a bug in lpc\'s kernel generator; please report it with the net; `--backend cpu` runs the net meanwhile',
    }),
  );
}
