import type { CodeTable } from '../diag/codes.js';

/**
 * Codes of the IR verifier, LPC2900-2949 (inside the passes range LPC2000-2999: the verifier runs
 * between passes). A verifier error means a front end or a pass built a malformed graph: an lpc
 * bug, not a mistake in the user's net. src/passes/codes.ts lists these with the pass codes.
 */
export const IR_CODES = {
  DUPLICATE_ID: 'LPC2900',
  UNDEFINED_VALUE: 'LPC2901',
  NOT_TOPOLOGICAL: 'LPC2902',
  BAD_PRODUCER: 'LPC2903',
  BAD_SHAPE: 'LPC2904',
  BAD_PARAM: 'LPC2905',
  MISSING_EXTERNAL: 'LPC2906',
  BAD_ROLE: 'LPC2907',
  BAD_REFERENCE: 'LPC2908',
} as const;

const C = IR_CODES;
const bug = 'this is a bug in lpc (a front end or a pass built a malformed graph); please report it with the net that triggers it';

export const irCodes: CodeTable = {
  [C.DUPLICATE_ID]: { summary: 'two nodes, or two values, of the IR share an id', fix: bug },
  [C.UNDEFINED_VALUE]: { summary: 'a node reads a value the IR graph does not define', fix: bug },
  [C.NOT_TOPOLOGICAL]: { summary: 'a node reads a value produced by a later node (the node list is not in topological order)', fix: bug },
  [C.BAD_PRODUCER]: { summary: "a value's producer link does not match the node that outputs it", fix: bug },
  [C.BAD_SHAPE]: { summary: 'a value has a shape with a negative or non-integer dimension', fix: bug },
  [C.BAD_PARAM]: { summary: 'a parameter value lacks its ParamInfo, or is not listed in the graph parameters', fix: bug },
  [C.MISSING_EXTERNAL]: { summary: 'a graph input, parameter, output or loss names a value that does not exist', fix: bug },
  [C.BAD_ROLE]: { summary: 'a value has a role that does not match how the graph lists or produces it', fix: bug },
  [C.BAD_REFERENCE]: { summary: 'a parameter quantizer, parameter transform or derived value refers to a missing parameter', fix: bug },
};
