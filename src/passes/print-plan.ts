import type { BackwardPlan } from './autodiff.js';

/**
 * The backward plan as text, appended to `lpc compile --emit ir --mode training` (format in
 * docs/ir.md): the loss seeds, then one line per step in execution order,
 *
 *   step fc: [%fc.grad] -> inputs [%r1.grad] params [%fc.weights.grad, %fc.bias.grad] adds [%r1.grad]
 *
 * `-` marks an input or output with no gradient; `adds` lists gradients the step adds into.
 */
export function printBackwardPlan(plan: BackwardPlan): string {
  const ref = (id: string | undefined) => (id === undefined ? '-' : `%${id}`);
  const list = (ids: (string | undefined)[]) => `[${ids.map(ref).join(', ')}]`;
  const lines = [`backward seeds [${plan.seeds.map((s) => `%${s.grad} = 1`).join(', ')}]`];
  for (const s of plan.steps) {
    let line = `  step ${s.node}: ${list(s.gradOutputs)} -> inputs ${list(s.gradInputs)} params ${list(s.gradParams)}`;
    if (s.accumulate.length) line += ` adds ${list(s.accumulate)}`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}
