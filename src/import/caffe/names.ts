/**
 * Caffe names (layer and blob names such as `conv1/3x3_reduce`, `loss`, `fc-8`) to .lpnet
 * identifiers: characters outside [A-Za-z0-9_] become `_`, a leading digit gets a `_` prefix, and
 * words the language reserves (keywords, type names) or that name ops get a trailing `_`. Each
 * name is unique within a net; a clash gets `_2`, `_3`, ...
 */
const RESERVED = new Set([
  'import', 'type', 'net', 'block', 'input', 'output', 'loss', 'repeat', 'as', 'return', 'train',
  'true', 'false', 'fixed', 'f32', 'i32', 'int', 'float', 'bool', 'tensor',
]);

export function sanitizeIdentifier(name: string, reserved: ReadonlySet<string> = RESERVED): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (s.length === 0) s = 'layer';
  if (/^[0-9]/.test(s)) s = `_${s}`;
  if (RESERVED.has(s) || reserved.has(s)) s = `${s}_`;
  return s;
}

export class Namer {
  private readonly used = new Set<string>();

  constructor(private readonly reserved: ReadonlySet<string> = new Set()) {}

  /** A fresh identifier for `name`. */
  fresh(name: string): string {
    const base = sanitizeIdentifier(name, this.reserved);
    let id = base;
    for (let k = 2; this.used.has(id); k++) id = `${base}_${k}`;
    this.used.add(id);
    return id;
  }
}

/** A net name as an identifier that clashes with none of `taken` (the net's value names). */
export function netIdentifier(name: string, taken: ReadonlySet<string>): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(id)) id = `Net_${id}`;
  if (RESERVED.has(id)) id = `${id}_`;
  while (taken.has(id)) id = `${id}_net`;
  return id;
}
