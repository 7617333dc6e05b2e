import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { F32, sameNumberType } from '../../numeric/number-type.js';
import type { Tensor } from '../../numeric/tensor.js';
import type { LpwContents } from '../weights/lpw-format.js';
import { TRAIN_CODES } from './codes.js';
import { SOLVER_STATE_SLOTS, type SolverKind } from './solver-spec.js';

/**
 * The solver's state as plain tensors, one per trained parameter and state slot (momentum
 * history, Adam's moments), so any backend can hand it over and a checkpoint can store it in the
 * .lpw format as f32 tensors named `<param id>#<slot>` (`c1.weights#history`).
 */
export interface SolverState {
  kind: SolverKind;
  /** By stateKey(param, slot). */
  tensors: Map<string, Tensor>;
}

export function stateKey(param: string, slot: string): string {
  return `${param}#${slot}`;
}

export function solverStateToLpw(state: SolverState, net: string): LpwContents {
  const tensors = [...state.tensors].map(([name, t]) => ({ name, shape: [...t.shape], type: F32, data: t.data }));
  return { net: `${net} solver ${state.kind}`, tensors };
}

/**
 * Reads a solver state back for the trained parameters `params`: every (param, slot) must be
 * there with the parameter's shape, and nothing else may be.
 */
export function solverStateFromLpw(
  contents: LpwContents,
  kind: SolverKind,
  params: readonly { id: string; shape: readonly number[] }[],
  file: string,
): { state?: SolverState; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fail = (message: string) =>
    diagnostics.push(
      error(TRAIN_CODES.SOLVER_STATE_MISMATCH, `${file}: ${message}`, undefined, {
        hint: 'resume with the net and optimizer the run was started with, or start a new run',
      }),
    );
  const byName = new Map(contents.tensors.map((t) => [t.name, t]));
  const tensors = new Map<string, Tensor>();
  const expected = new Set<string>();
  for (const p of params) {
    for (const slot of SOLVER_STATE_SLOTS[kind]) {
      const key = stateKey(p.id, slot);
      expected.add(key);
      const t = byName.get(key);
      if (!t) {
        fail(`no ${kind} state '${slot}' for parameter '${p.id}'`);
        continue;
      }
      if (!sameNumberType(t.type, F32) || t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
        fail(`state '${key}' has shape [${t.shape.join(', ')}], the parameter has [${p.shape.join(', ')}]`);
        continue;
      }
      tensors.set(key, { shape: [...t.shape], data: t.data });
    }
  }
  for (const t of contents.tensors) if (!expected.has(t.name)) fail(`state '${t.name}' belongs to no trained parameter of this net and ${kind} solver`);
  if (diagnostics.length > 0) return { diagnostics };
  return { state: { kind, tensors }, diagnostics };
}
