import { F32 } from '../../src/numeric/number-type.js';
import type { OpDef } from '../../src/ops/op-def.js';
import { opTableOf } from '../../src/lower/op-table.js';

/**
 * Small ops written for the checker's tests, so that diagnostics whose text comes from an op
 * (LPC1400) or from an op's bug (LPC1299) are asserted against messages these tests own.
 */
const noCpu: OpDef['cpu'] = {
  forward() {
    throw new Error('not for running');
  },
};

/** Accepts only rank-2 inputs; blames its input otherwise. */
export const matrixOnlyOp: OpDef = {
  name: 'matrix_only',
  doc: 'identity on matrices',
  inputs: [{ name: 'x', doc: 'a rank-2 tensor' }],
  attrs: {},
  inferShape(inputs) {
    const s = inputs[0].shape;
    if (s.length !== 2) return { ok: false, message: `matrix_only needs a rank-2 input, got rank ${s.length}`, hint: 'flatten it first', blame: 'x' };
    return { ok: true, shape: [...s] };
  },
  differentiable: true,
  cpu: noCpu,
};

/** Its shape rule throws: a stand-in for a bug in an op. */
export const brokenOp: OpDef = {
  name: 'broken',
  doc: 'always fails',
  inputs: [{ name: 'x', doc: 'anything' }],
  attrs: {},
  inferShape() {
    throw new TypeError('attribute "k" is required but missing');
  },
  differentiable: false,
  cpu: noCpu,
};

/** Joins any number of inputs (>= 1) along the last axis and has a `weights` type slot, but no parameters. */
export const joinOp: OpDef = {
  name: 'join',
  doc: 'concatenates on the last axis',
  inputs: [
    { name: 'first', doc: 'first input' },
    { name: 'rest', doc: 'more inputs', variadic: true, optional: true },
  ],
  attrs: { scale: { kind: 'floats', optional: true, doc: 'per-input scale' } },
  typeSlots: ['weights'],
  inferShape(inputs) {
    const last = inputs.reduce((n, t) => n + t.shape[t.shape.length - 1], 0);
    return { ok: true, shape: [...inputs[0].shape.slice(0, -1), last] };
  },
  inferType: () => F32,
  differentiable: true,
  cpu: noCpu,
};

/** The registry plus the test ops. */
export const testOps = opTableOf([matrixOnlyOp, brokenOp, joinOp], true);
