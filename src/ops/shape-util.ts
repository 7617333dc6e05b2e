import type { TensorType } from '../ir/graph.js';

/**
 * Small shape helpers shared by the op files: printing shapes in messages, Caffe-style axis
 * indices (negative counts from the end), and splitting a shape around one axis.
 */

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function productOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/**
 * Caffe's CanonicalAxisIndex: an axis in [-rank, rank) counts from the end when negative.
 * Returns undefined when the axis is out of range, so callers can word their own message.
 */
export function canonicalAxis(axis: number, rank: number): number | undefined {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) return undefined;
  return axis < 0 ? axis + rank : axis;
}

/** The message for an axis that `canonicalAxis` rejected. */
export function axisRangeMessage(what: string, axis: number, shape: readonly number[]): string {
  const rank = shape.length;
  return `${what} ${axis} is out of range for an input of rank ${rank} (shape ${formatShape(shape)}); valid axes are ${-rank}..${rank - 1}`;
}

/**
 * View a shape as [outer, dim, inner] around `axis` (already canonical): the element at
 * (o, d, i) sits at index (o * dim + d) * inner + i in row-major order.
 */
export function splitAtAxis(shape: readonly number[], axis: number): { outer: number; dim: number; inner: number } {
  return {
    outer: productOf(shape.slice(0, axis)),
    dim: shape[axis],
    inner: productOf(shape.slice(axis + 1)),
  };
}

/**
 * For variadic elementwise ops: the index of the first input whose shape differs from the
 * first one, or -1 when all agree.
 */
export function firstShapeMismatch(inputs: readonly TensorType[]): number {
  for (let i = 1; i < inputs.length; i++) if (!sameShape(inputs[i].shape, inputs[0].shape)) return i;
  return -1;
}

/**
 * The shape rule of the variadic elementwise ops (add, eltwise): at least `min` inputs, all of
 * one shape. `inputName` is the variadic input's name, blamed on failure.
 */
export function sameShapeInputs(
  opName: string,
  inputName: string,
  inputs: readonly TensorType[],
  min: number,
): { ok: true; shape: number[] } | { ok: false; message: string; hint: string; blame: string } {
  if (inputs.length < min) {
    return {
      ok: false,
      message: `${opName} needs at least ${min} inputs, got ${inputs.length}`,
      hint: `pass ${min} or more tensors of the same shape: ${opName}(a, b)`,
      blame: inputName,
    };
  }
  const bad = firstShapeMismatch(inputs);
  if (bad >= 0) {
    return {
      ok: false,
      message: `${opName} inputs must all have the same shape: input 1 is ${formatShape(inputs[0].shape)} but input ${bad + 1} is ${formatShape(inputs[bad].shape)}`,
      hint: `${opName} does not broadcast; reshape or pool the inputs so their shapes agree`,
      blame: inputName,
    };
  }
  return { ok: true, shape: [...inputs[0].shape] };
}
