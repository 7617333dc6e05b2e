/**
 * The CPU reference backend's tensor: a dense NCHW array of real values in a Float64Array.
 * Float64 holds every fixed<I, F> value (W <= 32) exactly; f32-typed tensors hold values already
 * rounded to f32 (Math.fround), so the reference can follow SEMANTICS.md bit for bit.
 */
export interface Tensor {
  shape: number[];
  data: Float64Array;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function zeros(shape: readonly number[]): Tensor {
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)) };
}

export function tensorFrom(shape: readonly number[], values: ArrayLike<number>): Tensor {
  const n = sizeOf(shape);
  if (values.length !== n) throw new RangeError(`tensor of shape [${shape.join(', ')}] needs ${n} values, got ${values.length}`);
  return { shape: [...shape], data: Float64Array.from(values) };
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}
