import type { CodeTable } from '../../diag/codes.js';

/**
 * Diagnostic codes of the Caffe importer and exporter (LPC4000-4999). Grouped by phase:
 * 40xx prototxt text, 41xx net structure and layers, 42xx caffemodel weights, 43xx export,
 * 44xx files and command line of `lpc import` / `lpc export`.
 */
export const caffeCodes = {
  // --- prototxt text format -----------------------------------------------------------------
  LPC4001: { summary: 'prototxt syntax error', fix: 'Fix the text at the location shown; fields are `name: value` or `name { ... }`.' },
  LPC4002: { summary: 'malformed string literal in a prototxt', fix: 'Close the string on the same line and use only valid escapes (\\n, \\t, \\\\, \\", \\xHH, \\ooo).' },
  LPC4003: { summary: 'unknown field name for this Caffe message', fix: 'Check the spelling against caffe.proto; lpc supports the fields listed in docs/caffe.md.' },
  LPC4004: { summary: 'a field has a value of the wrong kind', fix: 'Give a number, string, enum word, boolean or `{ ... }` message as the field requires.' },
  LPC4005: { summary: 'unknown enum value', fix: 'Use one of the values the field accepts (listed in the message).' },
  LPC4006: { summary: 'a non-repeated field is given more than once', fix: 'Remove the duplicate; only repeated fields may appear several times.' },

  // --- net structure and layers ---------------------------------------------------------------
  LPC4100: { summary: 'Caffe layer type lpc cannot import', fix: 'Replace the layer with a supported one (see docs/caffe.md for the layer table).' },
  LPC4101: { summary: 'a bottom names no top produced before it', fix: 'Name a top of an earlier layer or a net input; check the phase (include/exclude) of the producer.' },
  LPC4102: { summary: 'a layer has the wrong number of bottoms or tops', fix: 'Give the layer the bottoms and tops its type takes.' },
  LPC4103: { summary: 'a layer setting lpc does not support', fix: 'Change the setting to a supported value (see the message) or remove it.' },
  LPC4104: { summary: 'the shape of a net input is unknown', fix: 'Give it on the command line: `lpc import --input-shape data=N,C,H,W`, or use an Input layer with a shape.' },
  LPC4105: { summary: 'an input shape was guessed from the data source', fix: 'Check the shape; give `--input-shape name=N,C,H,W` to set it explicitly.' },
  LPC4106: { summary: 'a layer does not fit the shape of its input', fix: 'Fix the layer settings or the input shape; the message gives both.' },
  LPC4107: { summary: 'a low-precision setting is not a legal fixed-point type', fix: 'bd (integer bits, sign included) >= 1, ad >= 0, 2 <= bd + ad <= 32.' },
  LPC4108: { summary: 'the net has no layers in the selected phase', fix: 'Check `--phase` and the include/exclude rules of the layers.' },
  LPC4109: { summary: 'a layer name is used twice', fix: 'Give each layer a unique name; weights are matched by layer name.' },
  LPC4110: { summary: 'a top is produced twice (not in place)', fix: 'Give each top a unique name, or make the layer in place (top equal to its bottom).' },
  LPC4111: { summary: 'an include/exclude rule uses stages or levels, which lpc ignores', fix: 'Only `phase` selects layers in lpc; remove stage/level rules or select the phase with --phase.' },
  LPC4112: { summary: 'a layer type has no op in this build of lpc', fix: 'The op the layer maps to is not registered; this is an lpc build problem.' },

  // --- caffemodel weights ---------------------------------------------------------------------
  LPC4200: { summary: 'the caffemodel is truncated or not a Caffe NetParameter', fix: 'Check that the file is a complete binary .caffemodel (not a prototxt, not cut off).' },
  LPC4201: { summary: 'the caffemodel has no weights for a layer of the net', fix: 'Use the caffemodel trained for this prototxt; layers are matched by name.' },
  LPC4202: { summary: 'the caffemodel has weights for a layer the net does not have', fix: 'Usually harmless (Caffe ignores them too); check the layer names if unexpected.' },
  LPC4203: { summary: 'a layer has the wrong number of weight blobs', fix: 'The caffemodel does not belong to this prototxt (or bias_term differs).' },
  LPC4204: { summary: 'a weight blob has the wrong shape', fix: 'The caffemodel does not belong to this prototxt; the message gives both shapes.' },
  LPC4205: { summary: 'a weight blob holds a different number of values than its shape says', fix: 'The caffemodel is corrupt.' },

  // --- export ---------------------------------------------------------------------------------
  LPC4300: { summary: 'an op has no Caffe layer to export to', fix: 'Only ops of the Caffe layer table can be exported (see docs/caffe.md).' },
  LPC4301: { summary: 'a number type cannot be written as ADaPTION lpfp_param', fix: 'ADaPTION supports saturate_symmetric overflow with nearest or stochastic rounding.' },
  LPC4302: { summary: 'a weights map does not match the graph for export', fix: 'Give the weights file that belongs to this net.' },

  // --- files and commands ---------------------------------------------------------------------
  LPC4400: { summary: 'a file cannot be read', fix: 'Check the path and permissions.' },
  LPC4401: { summary: 'an output file cannot be written', fix: 'Check that the folder exists and is writable.' },
  LPC4402: { summary: 'a command-line option has a bad value', fix: 'See `lpc import --help` / `lpc export --help`.' },
  LPC4403: { summary: 'a needed part of lpc is not available in this build', fix: 'This is an lpc build problem; report it.' },
} as const satisfies CodeTable;

export type CaffeCode = keyof typeof caffeCodes;
