import { formatNumberType, type NumberType } from '../../../numeric/number-type.js';
import type { KernelRequest, KernelTensor } from '../../../codegen/wgsl/lib/kernel.js';

/**
 * The key a tuning choice is stored under: everything about a request that changes which kernel
 * runs and how much work it does, and nothing that names the layer. Two layers of different nets
 * with the same op, shapes, types and attributes share a choice. The epilogue is left out on
 * purpose: it runs once per output element, the same for every configuration.
 */
export function requestShapeKey(op: string, req: KernelRequest): string {
  const tensor = (t: KernelTensor) => `${formatNumberType(t.type)}[${t.shape.join(',')}]`;
  const parts = [
    op,
    `in ${req.inputs.map(tensor).join(' ')}`,
    `params ${req.params.map(tensor).join(' ')}`,
    `quant ${req.paramQuantizers.map((q) => (q ? formatNumberType(q) : '-')).join(' ')}`,
    `out ${tensor(req.output)}`,
    `attrs ${stableJson(req.attrs)}`,
    `acc ${req.accumulate}`,
    req.training ? 'training' : 'inference',
  ];
  return parts.join('; ');
}

function isNumberType(v: unknown): v is NumberType {
  return typeof v === 'object' && v !== null && 'kind' in v && ['f32', 'i32', 'fixed'].includes(String((v as { kind: unknown }).kind));
}

/** JSON with object keys sorted, number types in source spelling: equal attributes, equal text. */
function stableJson(v: unknown): string {
  if (isNumberType(v)) return JSON.stringify(formatNumberType(v));
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
