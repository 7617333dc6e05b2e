import type { CodeTable } from '../../diag/codes.js';

/**
 * Diagnostic codes of compiled bundles (LPC5400-5449): the generated TypeScript module of a net,
 * the bundle runtime it imports (`lpc/runtime`, src/runtime/bundle/), and the commands that write
 * and package bundles (`lpc compile -o`, `lpc bundle`). The other slices of LPC5xxx: LPC5000-5099
 * the WebGPU runtime, LPC5100-5149 the WGSL emission library, LPC5200-5249 the WGSL planner,
 * LPC5300-5349 training on WebGPU.
 *
 *   LPC5400-5419  using a bundle: its data, inputs, weights, the device, training
 *   LPC5420-5439  writing and packaging bundles
 */
export const BUNDLE_CODES = {
  BAD_BUNDLE: 'LPC5400',
  INPUT_MISSING: 'LPC5401',
  INPUT_UNKNOWN: 'LPC5402',
  INPUT_WRONG_ARRAY: 'LPC5403',
  INPUT_WRONG_LENGTH: 'LPC5404',
  NO_WEIGHTS: 'LPC5405',
  WEIGHTS_UNREADABLE: 'LPC5406',
  DEVICE_UNSUITED: 'LPC5407',
  NET_DESTROYED: 'LPC5408',
  NO_TRAINING: 'LPC5409',
  BATCH_WRONG: 'LPC5410',

  NOT_A_BUNDLE: 'LPC5420',
  BUNDLE_BUILD_FAILED: 'LPC5421',
  NODE_IMPORT_IN_BROWSER: 'LPC5422',
  MODULE_EMIT_FAILED: 'LPC5423',
  TRAIN_STEP_OMITTED: 'LPC5424',
} as const;

const C = BUNDLE_CODES;

export const bundleCodes: CodeTable = {
  [C.BAD_BUNDLE]: {
    summary: 'the data of a compiled net module cannot be read by this version of the lpc runtime',
    fix: 'compile the net again with the lpc version the app depends on (`lpc compile net.lpnet -o out/`)',
  },
  [C.INPUT_MISSING]: {
    summary: 'a compiled net was run without one of the inputs it needs',
    fix: 'pass every input the method lists in its type (the generated `<Net>Inputs` interface)',
  },
  [C.INPUT_UNKNOWN]: {
    summary: 'a compiled net was given an input it does not have',
    fix: 'check the name against the net\'s `input` declarations (the generated interface lists them)',
  },
  [C.INPUT_WRONG_ARRAY]: {
    summary: 'an input of a compiled net was not the typed array its type needs (Float32Array for f32 and fixed-point inputs, Int32Array for i32)',
    fix: 'convert the data, e.g. `Float32Array.from(values)`',
  },
  [C.INPUT_WRONG_LENGTH]: {
    summary: 'an input of a compiled net has a number of values that does not fit its shape',
    fix: 'pass the values of whole items in NCHW order: the shape is in the doc comment of the input; `infer` takes 1 to `batch` items when the net allows partial batches',
  },
  [C.NO_WEIGHTS]: {
    summary: 'a compiled net was run before any weights were loaded',
    fix: 'call `await net.loadWeights(bytesOrUrlOrPath)` first (a .lpw file from training or `lpc init-weights`)',
  },
  [C.WEIGHTS_UNREADABLE]: {
    summary: 'the weights given to `loadWeights` could not be read (a URL that did not answer, a path outside Node, a value of the wrong kind)',
    fix: 'pass the bytes of a .lpw file, a URL the page can fetch, or (in Node) a file path',
  },
  [C.DEVICE_UNSUITED]: {
    summary: 'the WebGPU device lacks a feature or limit the compiled net was generated for',
    fix: 'compile without `--device` (kernels for the limits every adapter offers), or run on the adapter it was compiled for',
  },
  [C.NET_DESTROYED]: {
    summary: 'a compiled net was used after `destroy()`',
    fix: 'create the net again with `<Net>.create()`',
  },
  [C.NO_TRAINING]: {
    summary: '`trainStep` needs a WebGPU training backend, which this build of the lpc runtime does not have, or the net cannot be trained',
    fix: 'train with `lpc train` and load the weights it writes; or update lpc',
  },
  [C.BATCH_WRONG]: {
    summary: 'the inputs of one call hold different numbers of batch items',
    fix: 'give every batched input the same number of items',
  },
  [C.NOT_A_BUNDLE]: {
    summary: '`lpc bundle` was given a path that is neither a folder written by `lpc compile -o` nor a module file',
    fix: 'pass the net\'s folder (`out/LeNet8`) or an entry module (`main.ts`) that imports it',
  },
  [C.BUNDLE_BUILD_FAILED]: {
    summary: 'esbuild could not build the browser bundle',
    fix: 'fix the errors it reports in the entry module; a generated module that fails is a bug in lpc (please report it)',
  },
  [C.NODE_IMPORT_IN_BROWSER]: {
    summary: 'the browser bundle would import a Node-only module',
    fix: 'remove the Node import from the entry module (read files with fetch in a browser); a Node import inside lpc\'s runtime is a bug in lpc',
  },
  [C.TRAIN_STEP_OMITTED]: {
    summary: 'a net with a loss was compiled into a module without `trainStep`, because it cannot be planned for training (a warning)',
    fix: 'run `lpc train` on the net to see the reason; inference is not affected',
  },
  [C.MODULE_EMIT_FAILED]: {
    summary: 'the TypeScript module of a net could not be generated or compiled',
    fix: 'this is a bug in lpc; please report it with the net',
  },
};
