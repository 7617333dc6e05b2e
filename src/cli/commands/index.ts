import type { LpcCommand } from '../command.js';
import { checkCommand } from './check.js';
import { fmtCommand } from './fmt.js';
import { runCommand } from './run.js';
import { initWeightsCommand } from './init-weights.js';
import { importCommand } from './import.js';
import { exportCommand } from './export.js';
import { compileCommand } from './compile.js';
import { trainCommand } from './train.js';
import { evalCommand } from './eval.js';
import { codesCommand } from './codes.js';
import { quantizeCommand } from './quantize.js';
import { sweepCommand } from './sweep.js';
import { diffCommand } from './diff.js';
import { bundleCommand } from './bundle.js';
import { tuneCommand } from './tune.js';

/** Every `lpc` subcommand, one module each. Adding a command: one file and one line here. */
export const commands: LpcCommand[] = [checkCommand, fmtCommand, runCommand, initWeightsCommand, importCommand, exportCommand, compileCommand, trainCommand, evalCommand, codesCommand, diffCommand, quantizeCommand, sweepCommand, bundleCommand, tuneCommand];
