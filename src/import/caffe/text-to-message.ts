import protobuf from 'protobufjs';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { didYouMean } from '../../diag/suggest.js';
import { caffeType } from './caffe-schema.js';
import { recordFieldSpan, recordSpan, type CaffeMessage, type ScalarValue } from './message.js';
import { readPrototxt, type TextField } from './prototxt-reader.js';

/**
 * Checks a prototxt field tree against the schema and builds CaffeMessages with spans. Unknown
 * field names, values of the wrong kind and unknown enum words are diagnostics at the field; the
 * field is dropped and the rest is still checked, so one run shows every problem.
 */

const INT_TYPES = new Set(['int32', 'uint32', 'int64', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);
const FLOAT_TYPES = new Set(['float', 'double']);

function scalarFor(field: protobuf.Field, tf: TextField, diags: Diagnostic[]): ScalarValue | undefined {
  const v = tf.value;
  const at = tf.valueSpan ?? tf.span;
  const what = `field \`${tf.name}\``;
  if (!v) return undefined;
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const names = Object.keys(resolved.values);
    if (v.kind === 'ident') {
      if (v.value in resolved.values) return v.value;
      diags.push(
        error('LPC4005', `unknown value \`${v.value}\` for ${what}; expected one of ${names.join(', ')}`, at, {
          hint: didYouMean(v.value, names),
        }),
      );
      return undefined;
    }
    if (v.kind === 'number' && v.isInteger && resolved.valuesById[v.value] !== undefined) return resolved.valuesById[v.value];
    diags.push(error('LPC4004', `${what} takes an enum word (${names.join(', ')})`, at));
    return undefined;
  }
  const t = field.type;
  if (INT_TYPES.has(t)) {
    if (v.kind === 'number' && v.isInteger && Number.isSafeInteger(v.value)) {
      if (t.startsWith('uint') && v.value < 0) {
        diags.push(error('LPC4004', `${what} must not be negative, got ${v.raw}`, at));
        return undefined;
      }
      return v.value;
    }
    diags.push(error('LPC4004', `${what} takes an integer, got ${v.kind === 'number' ? v.raw : v.kind === 'string' ? 'a string' : `\`${v.value}\``}`, at));
    return undefined;
  }
  if (FLOAT_TYPES.has(t)) {
    // kept as written (not rounded to f32) so the .lpnet and the IR carry the number the user wrote
    if (v.kind === 'number') return v.value;
    diags.push(error('LPC4004', `${what} takes a number, got ${v.kind === 'string' ? 'a string' : `\`${v.value}\``}`, at));
    return undefined;
  }
  if (t === 'bool') {
    if (v.kind === 'ident' && /^(true|t|True)$/.test(v.value)) return true;
    if (v.kind === 'ident' && /^(false|f|False)$/.test(v.value)) return false;
    if (v.kind === 'number' && (v.value === 0 || v.value === 1) && v.isInteger) return v.value === 1;
    diags.push(error('LPC4004', `${what} takes true or false`, at));
    return undefined;
  }
  if (t === 'string' || t === 'bytes') {
    if (v.kind === 'string') return v.value;
    diags.push(
      error('LPC4004', `${what} takes a quoted string`, at, {
        hint: v.kind === 'ident' ? `write "${v.value}" in quotes` : undefined,
      }),
    );
    return undefined;
  }
  diags.push(error('LPC4004', `${what} has an unsupported type ${t}`, at));
  return undefined;
}

/** Converts the fields of one message; recursion follows the schema. */
export function fieldsToMessage(fields: TextField[], type: protobuf.Type, diags: Diagnostic[], span?: TextField['span']): CaffeMessage {
  const msg: CaffeMessage = {};
  recordSpan(msg, span);
  const seenOnce = new Map<string, TextField>();
  for (const tf of fields) {
    const field = type.fields[tf.name];
    if (!field) {
      diags.push(
        error('LPC4003', `unknown field \`${tf.name}\` in ${type.name}`, tf.nameSpan, {
          hint: didYouMean(tf.name, Object.keys(type.fields)),
        }),
      );
      continue;
    }
    if (!field.repeated) {
      const prev = seenOnce.get(tf.name);
      if (prev) {
        diags.push(
          error('LPC4006', `field \`${tf.name}\` is given more than once`, tf.nameSpan, {
            notes: [{ message: 'first given here', span: prev.nameSpan }],
          }),
        );
        continue;
      }
      seenOnce.set(tf.name, tf);
    }
    let value: ScalarValue | CaffeMessage | undefined;
    if (field.resolvedType instanceof protobuf.Type) {
      if (!tf.children) {
        diags.push(error('LPC4004', `field \`${tf.name}\` is a message: write \`${tf.name} { ... }\``, tf.valueSpan ?? tf.span));
        continue;
      }
      value = fieldsToMessage(tf.children, field.resolvedType, diags, tf.span);
    } else {
      if (tf.children) {
        diags.push(error('LPC4004', `field \`${tf.name}\` takes a single value, not \`{ ... }\``, tf.nameSpan));
        continue;
      }
      value = scalarFor(field, tf, diags);
      if (value === undefined) continue;
    }
    recordFieldSpan(msg, tf.name, tf.span);
    if (field.repeated) {
      const list = (msg[tf.name] as (ScalarValue | CaffeMessage)[] | undefined) ?? [];
      list.push(value);
      msg[tf.name] = list;
    } else {
      msg[tf.name] = value;
    }
  }
  return msg;
}

/** Reads a prototxt as a NetParameter. Diagnostics cover syntax and schema problems. */
export function parseNetPrototxt(text: string, file: string): { net: CaffeMessage; diagnostics: Diagnostic[] } {
  const read = readPrototxt(text, file);
  const diagnostics = [...read.diagnostics];
  const net = fieldsToMessage(read.fields, caffeType('NetParameter'), diagnostics, {
    file,
    start: { offset: 0, line: 1, col: 1 },
    end: { offset: 0, line: 1, col: 1 },
  });
  return { net, diagnostics };
}
