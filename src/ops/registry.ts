import type { OpDef } from './op-def.js';
import { quantizeOp } from './quantize.js';
import { convOp } from './conv.js';
import { denseOp } from './dense.js';
import { maxPoolOp } from './max-pool.js';
import { avgPoolOp } from './avg-pool.js';
import { lrnOp } from './lrn.js';
import { batchNormOp } from './batch-norm.js';
import { scaleOp } from './scale.js';
import { reluOp } from './relu.js';
import { tanhOp } from './tanh.js';
import { sigmoidOp } from './sigmoid.js';
import { softmaxOp } from './softmax.js';
import { addOp } from './add.js';
import { eltwiseOp } from './eltwise.js';
import { concatOp } from './concat.js';
import { flattenOp } from './flatten.js';
import { reshapeOp } from './reshape.js';
import { dropoutOp } from './dropout.js';
import { softmaxCrossEntropyOp } from './softmax-cross-entropy.js';
import { accuracyOp } from './accuracy.js';

/**
 * Every op lpc knows, one line each. The language, passes, importers and backends look ops up
 * here; adding an op is one file in src/ops/, one line below, and one test file.
 */
const ALL_OPS: OpDef[] = [
  // ops register here, one import + one entry per op
  quantizeOp,
  convOp,
  denseOp,
  maxPoolOp,
  avgPoolOp,
  lrnOp,
  batchNormOp,
  scaleOp,
  reluOp,
  tanhOp,
  sigmoidOp,
  softmaxOp,
  addOp,
  eltwiseOp,
  concatOp,
  flattenOp,
  reshapeOp,
  dropoutOp,
  softmaxCrossEntropyOp,
  accuracyOp,
];

const byName = new Map<string, OpDef>(ALL_OPS.map((op) => [op.name, op]));

export function getOp(name: string): OpDef | undefined {
  return byName.get(name);
}

export function allOps(): readonly OpDef[] {
  return ALL_OPS;
}

export function opNames(): string[] {
  return [...byName.keys()];
}
