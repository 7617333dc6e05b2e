import { BUNDLE_CODES } from '../../codegen/ts/codes.js';
import type { NetInterface, TensorInterface } from '../../codegen/ts/net-interface.js';
import { didYouMean } from '../../diag/suggest.js';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Tensor } from '../../numeric/tensor.js';
import { LpcError } from './errors.js';

/**
 * Turns the typed arrays an app passes to a compiled net into the executor's tensors, checking
 * every input at once (missing, unknown, wrong array type, wrong length) so one error lists all
 * that is wrong, and back: the executor's outputs as typed arrays, trimmed to the items given.
 *
 * A partial batch (fewer items than the net's batch, when the interface allows it) is padded with
 * zeros up to the batch; inputs the call does not take (the labels, for `infer`) are zeros.
 */
export type InputArray = Float32Array | Float64Array | Int32Array;
export type InputRecord = Readonly<Record<string, InputArray>>;

export interface PreparedInputs {
  tensors: Map<string, Tensor>;
  /** Items along the batch axis the call gave (the whole batch unless partial). */
  items: number;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

const ARRAYS = { Float32Array, Float64Array, Int32Array } as const;

function expectedArrays(t: TensorInterface): (keyof typeof ARRAYS)[] {
  // f32 and fixed inputs travel as real values; Float64Array is accepted too (exact for every fixed type).
  return t.array === 'Int32Array' ? ['Int32Array'] : ['Float32Array', 'Float64Array'];
}

function arrayName(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a plain array';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return `a ${typeof x}`;
}

/**
 * The tensors for one call. `takes` are the input names the method reads; the others get zeros.
 * `partial`: whether fewer items than the batch are allowed.
 */
export function prepareInputs(iface: NetInterface, method: string, given: InputRecord, takes: readonly string[], partial: boolean): PreparedInputs {
  const diagnostics: Diagnostic[] = [];
  const err = (code: string, message: string, hint: string) => diagnostics.push(error(code, `${iface.net}.${method}: ${message}`, undefined, { hint }));
  if (given === null || typeof given !== 'object') {
    throw new LpcError([error(BUNDLE_CODES.INPUT_MISSING, `${iface.net}.${method} takes an object of inputs (${takes.join(', ')}), got ${arrayName(given)}`, undefined, { hint: `call ${method}({ ${takes.join(', ')} })` })]);
  }
  const known = new Set(takes);
  for (const name of Object.keys(given)) {
    if (known.has(name)) continue;
    const other = iface.inputs.some((t) => t.name === name);
    err(
      BUNDLE_CODES.INPUT_UNKNOWN,
      other ? `input '${name}' is not used by ${method}` : `the net has no input '${name}'`,
      other ? `${method} takes ${takes.join(', ')}` : (didYouMean(name, known) ?? `the inputs are ${takes.join(', ')}`),
    );
  }
  const batch = iface.batch;
  let items: number | undefined;
  const accepted = new Map<string, { t: TensorInterface; data: InputArray; items: number }>();
  for (const t of iface.inputs.filter((x) => known.has(x.name))) {
    const data = given[t.name];
    const want = sizeOf(t.shape);
    if (data === undefined) {
      err(BUNDLE_CODES.INPUT_MISSING, `input '${t.name}' (${t.type} ${shapeText(t.shape)}) is missing`, `pass ${t.name}: a ${t.array} of ${want} values`);
      continue;
    }
    if (!expectedArrays(t).some((name) => data instanceof ARRAYS[name])) {
      err(BUNDLE_CODES.INPUT_WRONG_ARRAY, `input '${t.name}' is ${arrayName(data)}; it must be a ${expectedArrays(t).join(' or ')}`, `convert it with ${t.array}.from(...)`);
      continue;
    }
    const perItem = t.batched && batch ? want / batch : want;
    const n = data.length;
    const wholeItems = t.batched && partial && perItem > 0 && n % perItem === 0 && n > 0 && n <= want ? n / perItem : undefined;
    if (n !== want && wholeItems === undefined) {
      const accepts = t.batched && partial ? `${perItem} values per item, 1 to ${batch} items (up to ${want} values)` : `${want} values`;
      err(BUNDLE_CODES.INPUT_WRONG_LENGTH, `input '${t.name}' has ${n} values; its shape ${shapeText(t.shape)} takes ${accepts}`, 'pass the values in NCHW order, item after item');
      continue;
    }
    const itemsHere = t.batched && batch ? (wholeItems ?? batch) : (batch ?? 1);
    accepted.set(t.name, { t, data, items: itemsHere });
  }
  for (const { t, items: k } of accepted.values()) {
    if (!t.batched) continue;
    if (items === undefined) items = k;
    else if (items !== k) {
      err(BUNDLE_CODES.BATCH_WRONG, `the inputs hold different numbers of items (${[...accepted.values()].filter((a) => a.t.batched).map((a) => `${a.t.name}: ${a.items}`).join(', ')})`, 'give every input the same number of items');
      break;
    }
  }
  if (diagnostics.length > 0) throw new LpcError(diagnostics);

  const tensors = new Map<string, Tensor>();
  for (const t of iface.inputs) {
    const data = new Float64Array(sizeOf(t.shape));
    const a = accepted.get(t.name);
    if (a) data.set(a.data);
    tensors.set(t.value, { shape: [...t.shape], data });
  }
  return { tensors, items: items ?? batch ?? 1 };
}

/** An output as its typed array, trimmed to `items` along the batch axis when it is batched. */
export function outputArray(t: TensorInterface, data: Float64Array, items: number, batch: number | undefined): InputArray {
  const keep = t.batched && batch ? (data.length / batch) * items : data.length;
  const part = keep === data.length ? data : data.subarray(0, keep);
  if (t.array === 'Int32Array') return Int32Array.from(part);
  if (t.array === 'Float64Array') return Float64Array.from(part);
  return Float32Array.from(part);
}
