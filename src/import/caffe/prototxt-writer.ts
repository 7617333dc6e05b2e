import protobuf from 'protobufjs';
import { isMessage, type CaffeMessage, type ScalarValue } from './message.js';

/**
 * Writes a CaffeMessage as protobuf text (.prototxt) the way Caffe prints nets: fields in field
 * number order (which is why `layer`, field 100, comes last), two-space indentation, strings in
 * double quotes with C escapes, enums as bare words. Only fields the schema knows are written.
 */

/** A string literal that both Caffe (C++ protobuf) and lpc's reader read back unchanged. */
export function escapePrototxtString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === "'") out += "\\'";
    else if (c < 0x20 || c === 0x7f) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += ch; // printable, including non-ASCII (written as UTF-8)
  }
  return `${out}"`;
}

export function formatPrototxtNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

function scalarText(field: protobuf.Field, v: ScalarValue): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatPrototxtNumber(v);
  if (field.resolvedType instanceof protobuf.Enum) return v;
  return escapePrototxtString(v);
}

function writeFields(msg: CaffeMessage, type: protobuf.Type, indent: string, out: string[]): void {
  const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id);
  for (const field of fields) {
    const value = msg[field.name];
    if (value === undefined) continue;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (isMessage(item)) {
        if (!(field.resolvedType instanceof protobuf.Type)) continue;
        out.push(`${indent}${field.name} {`);
        writeFields(item, field.resolvedType, `${indent}  `, out);
        out.push(`${indent}}`);
      } else {
        out.push(`${indent}${field.name}: ${scalarText(field, item)}`);
      }
    }
  }
}

/** The text of `msg` as a `type` message, ending with a newline. */
export function writePrototxt(msg: CaffeMessage, type: protobuf.Type): string {
  const out: string[] = [];
  writeFields(msg, type, '', out);
  return `${out.join('\n')}\n`;
}
