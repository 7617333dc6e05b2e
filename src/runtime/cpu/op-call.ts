import { DiagnosticError, error } from '../../diag/diagnostic.js';
import type { Node } from '../../ir/graph.js';
import type { CpuBackwardArgs, CpuForwardArgs, CpuGradients, OpDef } from '../../ops/op-def.js';
import { LabelRangeError } from '../../ops/labels.js';
import type { Tensor } from '../../numeric/tensor.js';
import { RUNTIME_CODES } from '../codes.js';

/**
 * Calls an op's CPU forward or backward and turns what it throws into a diagnostic at the node:
 * a label outside the class range is the user's data; anything else means the checker let
 * through a node the op cannot run, a bug to report. Either way no raw exception reaches a user.
 */
export function callForward(op: OpDef, args: CpuForwardArgs, node: Node, label: string): Tensor {
  try {
    return op.cpu.forward(args);
  } catch (e) {
    throw asDiagnostic(e, node, label, 'forward');
  }
}

export function callBackward(op: OpDef, args: CpuBackwardArgs, node: Node, label: string): CpuGradients {
  const backward = op.cpu.backward;
  if (!backward) {
    throw new DiagnosticError([
      error(RUNTIME_CODES.EXEC_NO_BACKWARD, `op '${op.name}' (${label}) has no CPU backward, but a gradient must flow through it`, node.span, {
        hint: 'remove the op from the path between the trained parameters and the loss',
      }),
    ]);
  }
  try {
    return backward(args);
  } catch (e) {
    throw asDiagnostic(e, node, label, 'backward');
  }
}

function asDiagnostic(e: unknown, node: Node, label: string, phase: string): DiagnosticError {
  if (e instanceof DiagnosticError) return e;
  if (e instanceof LabelRangeError) {
    return new DiagnosticError([
      error(RUNTIME_CODES.EXEC_LABEL_RANGE, `${label}: label ${e.value} at position ${e.position} is not a class index in 0..${e.classes - 1}`, node.span, {
        hint: 'labels are whole numbers from 0 to the number of classes minus one; check the label data',
      }),
    ]);
  }
  const reason = e instanceof Error ? e.message : String(e);
  return new DiagnosticError([
    error(RUNTIME_CODES.EXEC_OP_FAILED, `the CPU ${phase} of '${label}' failed: ${reason}`, node.span, {
      hint: 'this is a bug in lpc; please report it with the net and the command that trigger it',
    }),
  ]);
}
