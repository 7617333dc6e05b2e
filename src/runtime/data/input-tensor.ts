import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Value } from '../../ir/graph.js';
import { isFixed } from '../../numeric/number-type.js';
import { quantizeTensor } from '../../numeric/quantize.js';
import { sizeOf, type Tensor } from '../../numeric/tensor.js';
import { RUNTIME_CODES } from '../codes.js';

/**
 * Turns numbers read for a net input into a tensor of the input's type: f32 inputs are rounded
 * to f32, fixed-point inputs quantized to their type (stochastic types round to nearest, as at
 * inference), and i32 inputs (labels) must hold whole numbers.
 */
export function toInputTensor(values: Float64Array, input: Value, source: string): { tensor?: Tensor; diagnostics: Diagnostic[] } {
  const { dtype, shape } = input.type;
  const data = new Float64Array(values.length);
  if (dtype.kind === 'i32') {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
        return {
          diagnostics: [
            error(RUNTIME_CODES.INPUT_BAD_LABEL, `${source}: element ${i} is ${v}, but input '${input.id}' is i32 (whole numbers)`, input.span, {
              hint: 'i32 inputs take class indices; pass an integer IDX file (u8, i8, i16 or i32) or integer-valued data',
            }),
          ],
        };
      }
      data[i] = v;
    }
  } else if (isFixed(dtype)) {
    data.set(quantizeTensor(values, dtype.round === 'stochastic' ? { ...dtype, round: 'nearest' } : dtype));
  } else {
    for (let i = 0; i < values.length; i++) data[i] = Math.fround(values[i]);
  }
  return { tensor: { shape: [...shape], data }, diagnostics: [] };
}

/**
 * Fits data with dimensions `dims` to an input: the same number of elements (any dimensions), or
 * whole items of the input's size with at least a batch of them, of which the first batch is
 * taken (an MNIST file holds 10,000 images; a run uses `batch` of them).
 */
export function fitItems(
  data: Float64Array,
  dims: readonly number[],
  input: Value,
  source: string,
): { values?: Float64Array; note?: string; diagnostics: Diagnostic[] } {
  const shape = input.type.shape;
  const need = sizeOf(shape);
  if (data.length === need) return { values: data, diagnostics: [] };
  const batch = shape[0] ?? 1;
  const itemSize = shape.length > 0 ? sizeOf(shape.slice(1)) : 1;
  const fileItems = dims[0] ?? 0;
  const fileItemSize = dims.length > 0 ? sizeOf(dims.slice(1)) : 0;
  if (shape.length > 0 && fileItemSize === itemSize && fileItems >= batch) {
    return {
      values: data.subarray(0, need),
      note: `${source}: took the first ${batch} of ${fileItems} items for input '${input.id}'`,
      diagnostics: [],
    };
  }
  return {
    diagnostics: [
      error(
        RUNTIME_CODES.INPUT_SHAPE_MISMATCH,
        `${source}: data of shape [${dims.join(', ')}] does not fit input '${input.id}' of shape [${shape.join(', ')}]`,
        input.span,
        {
          hint:
            shape.length > 0
              ? `pass ${need} elements, or items of ${itemSize} elements with at least ${batch} of them (the net's batch)`
              : `pass exactly ${need} element`,
        },
      ),
    ],
  };
}
