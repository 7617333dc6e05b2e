import type { CodeTable } from '../diag/codes.js';

/**
 * Diagnostic codes of the runtime (LPC3000-3999): weights files, input data, the CPU reference
 * executor and the `run` / `init-weights` commands. Codes are stable once shipped.
 *
 *   LPC3000-3019  reading .lpw weights files
 *   LPC3020-3039  matching weights against a net
 *   LPC3040-3059  input data (IDX, raw f32, --input)
 *   LPC3060-3079  the CPU executor
 *   LPC3080-3099  file system
 */
export const RUNTIME_CODES = {
  LPW_BAD_MAGIC: 'LPC3001',
  LPW_TRUNCATED: 'LPC3002',
  LPW_BAD_MANIFEST_JSON: 'LPC3003',
  LPW_BAD_MANIFEST: 'LPC3004',
  LPW_BAD_EXTENT: 'LPC3005',
  LPW_BAD_TYPE: 'LPC3006',
  LPW_BAD_CODES: 'LPC3007',
  LPW_DUPLICATE_TENSOR: 'LPC3008',
  LPW_NON_FINITE: 'LPC3009',
  LPW_UNREPRESENTABLE: 'LPC3010',

  WEIGHTS_MISSING: 'LPC3020',
  WEIGHTS_UNEXPECTED: 'LPC3021',
  WEIGHTS_WRONG_SHAPE: 'LPC3022',
  WEIGHTS_WRONG_TYPE: 'LPC3023',
  WEIGHTS_OTHER_NET: 'LPC3024',

  IDX_BAD_MAGIC: 'LPC3040',
  IDX_TRUNCATED: 'LPC3041',
  IDX_BAD_GZIP: 'LPC3042',
  INPUT_SHAPE_MISMATCH: 'LPC3043',
  RAW_SIZE_MISMATCH: 'LPC3044',
  INPUT_UNKNOWN: 'LPC3045',
  INPUT_DUPLICATE: 'LPC3046',
  INPUT_BAD_LABEL: 'LPC3047',
  INPUT_BAD_SPEC: 'LPC3048',

  EXEC_MISSING_PARAM: 'LPC3060',
  EXEC_MISSING_INPUT: 'LPC3061',
  EXEC_UNKNOWN_OP: 'LPC3062',
  EXEC_NO_BACKWARD: 'LPC3063',
  EXEC_BAD_TENSOR_SHAPE: 'LPC3064',
  EXEC_BAD_PLAN: 'LPC3065',
  EXEC_LABEL_RANGE: 'LPC3066',
  EXEC_OP_FAILED: 'LPC3067',
  RUN_NO_NET: 'LPC3070',
  RUN_BAD_PARAM: 'LPC3071',

  FILE_READ: 'LPC3080',
  FILE_WRITE: 'LPC3081',
} as const;

const C = RUNTIME_CODES;

export const runtimeCodes: CodeTable = {
  [C.LPW_BAD_MAGIC]: {
    summary: 'the file is not an lpc weights file (it does not start with `LPW1`)',
    fix: 'pass a file written by `lpc init-weights` or by training; Caffe weights (.caffemodel) go through the Caffe importer',
  },
  [C.LPW_TRUNCATED]: {
    summary: 'the weights file ends before its header or manifest does',
    fix: 'the file was cut short (an interrupted copy or download); copy or write it again',
  },
  [C.LPW_BAD_MANIFEST_JSON]: {
    summary: 'the manifest of the weights file is not valid UTF-8 JSON',
    fix: 'the file is corrupted; write it again',
  },
  [C.LPW_BAD_MANIFEST]: {
    summary: 'the manifest of the weights file lacks a field or has one of the wrong kind, or has an unknown format version',
    fix: 'write the file again with this version of lpc (see docs/weights-format.md)',
  },
  [C.LPW_BAD_EXTENT]: {
    summary: 'a tensor of the weights file lies outside the file, is misaligned, or its byte count does not match its shape',
    fix: 'the file is truncated or corrupted; write it again',
  },
  [C.LPW_BAD_TYPE]: {
    summary: 'a tensor of the weights file has a type that is not understood, or an encoding that does not fit its type',
    fix: 'types are spelled `f32` or `fixed<I, F>` (with optional `round:` and `overflow:`); f32 tensors use encoding `f32`, fixed-point tensors `packed`',
  },
  [C.LPW_BAD_CODES]: {
    summary: 'a packed fixed-point tensor holds codes outside its type\'s range or non-zero padding',
    fix: 'the file is corrupted; write it again',
  },
  [C.LPW_DUPLICATE_TENSOR]: {
    summary: 'two tensors of the weights file have the same name',
    fix: 'the file is corrupted or was written by a buggy tool; write it again',
  },
  [C.LPW_NON_FINITE]: {
    summary: 'an f32 tensor of the weights file holds NaN or infinite values',
    fix: 'training diverged before the file was saved; lower the learning rate or start from an earlier snapshot',
  },
  [C.LPW_UNREPRESENTABLE]: {
    summary: 'a value to be stored as fixed-point is not a code of the tensor\'s type',
    fix: 'quantize the tensor to its type before storing it packed, or store it as f32',
  },
  [C.WEIGHTS_MISSING]: {
    summary: 'the net has a parameter that the weights file does not hold',
    fix: 'use the weights file written for this net (and these net parameters), or omit --weights to start from the fillers',
  },
  [C.WEIGHTS_UNEXPECTED]: {
    summary: 'the weights file holds a tensor that is not a parameter of the net',
    fix: 'check that the file belongs to this net; a renamed layer keeps its old name in old files',
  },
  [C.WEIGHTS_WRONG_SHAPE]: {
    summary: 'a tensor of the weights file has a different shape than the net\'s parameter',
    fix: 'the net changed since the weights were written (filters, units, kernel, input size); use matching weights',
  },
  [C.WEIGHTS_WRONG_TYPE]: {
    summary: 'a tensor of the weights file has a number type the parameter cannot take',
    fix: 'a parameter accepts f32 master weights or codes of its declared type (`weights:` / `bias:`); write the file again for this net',
  },
  [C.WEIGHTS_OTHER_NET]: {
    summary: 'the weights file says it was written for another net',
    fix: 'check that you pass the weights of this net',
  },
  [C.IDX_BAD_MAGIC]: {
    summary: 'the file is not an IDX data file (MNIST format): wrong magic number or element type',
    fix: 'IDX files start with two zero bytes, a type byte (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64) and the number of dimensions',
  },
  [C.IDX_TRUNCATED]: {
    summary: 'the IDX file is shorter or longer than its dimensions say',
    fix: 'the file was cut short or is corrupted; download or write it again',
  },
  [C.IDX_BAD_GZIP]: {
    summary: 'the file starts like gzip but cannot be inflated',
    fix: 'the download is incomplete or corrupted; fetch it again, or pass the unpacked file',
  },
  [C.INPUT_SHAPE_MISMATCH]: {
    summary: 'the data in an input file does not fit the net input\'s shape',
    fix: 'pass data with as many elements as the input (or whole items of it, at least one batch), or change the net\'s batch parameter',
  },
  [C.RAW_SIZE_MISMATCH]: {
    summary: 'a raw f32 input file has a size that does not match the input\'s shape',
    fix: 'raw input files hold exactly (product of the input\'s dimensions) little-endian float32 values',
  },
  [C.INPUT_UNKNOWN]: {
    summary: '--input names something that is not an input of the net',
    fix: 'name one of the net\'s `input` declarations',
  },
  [C.INPUT_DUPLICATE]: {
    summary: 'an input is given twice',
    fix: 'give each input once',
  },
  [C.INPUT_BAD_LABEL]: {
    summary: 'an integer (label) input holds a value that is not a whole number',
    fix: 'i32 inputs take class indices; pass an integer IDX file (u8/i8/i16/i32) or integer-valued data',
  },
  [C.INPUT_BAD_SPEC]: {
    summary: 'an --input option is not of the form name=PATH',
    fix: 'write --input image=images.idx (one option per input)',
  },
  [C.EXEC_MISSING_PARAM]: {
    summary: 'the executor was given no tensor for a parameter of the net',
    fix: 'load weights for every parameter (or initialise them from the fillers)',
  },
  [C.EXEC_MISSING_INPUT]: {
    summary: 'the executor was given no tensor for an input of the net',
    fix: 'pass every net input',
  },
  [C.EXEC_UNKNOWN_OP]: {
    summary: 'the graph uses an op that this build does not know',
    fix: 'the graph was built by another version of lpc; rebuild it from the source',
  },
  [C.EXEC_NO_BACKWARD]: {
    summary: 'a node on the gradient path has an op without a CPU backward',
    fix: 'the op cannot be trained through; remove it from the path to the loss or mark its input as not trained',
  },
  [C.EXEC_BAD_TENSOR_SHAPE]: {
    summary: 'a tensor given to the executor has a different shape than the graph declares',
    fix: 'pass tensors of the declared shapes',
  },
  [C.EXEC_BAD_PLAN]: {
    summary: 'the backward plan names a value the forward pass did not produce',
    fix: 'build the plan from the same graph the forward pass ran (this is a bug in lpc if it came from the pipeline)',
  },
  [C.EXEC_LABEL_RANGE]: {
    summary: 'a label given to a loss or metric is not a class index of its logits',
    fix: 'labels are whole numbers in 0..classes-1 (or the ignore_label); check the label file and the net\'s class count',
  },
  [C.EXEC_OP_FAILED]: {
    summary: 'an op of the CPU reference failed on a node the checker had accepted',
    fix: 'this is a bug in lpc; please report it with the net and the command that trigger it',
  },
  [C.RUN_NO_NET]: {
    summary: 'the file has no net to run, or several and none was chosen',
    fix: 'choose a net with --net NAME',
  },
  [C.RUN_BAD_PARAM]: {
    summary: 'a --param option is not of the form name=value',
    fix: 'write --param batch=1 (integers, floats, true/false or words)',
  },
  [C.FILE_READ]: {
    summary: 'a file could not be read',
    fix: 'check the path and the file\'s permissions',
  },
  [C.FILE_WRITE]: {
    summary: 'a file could not be written',
    fix: 'check that the folder exists and is writable, and that the disk is not full',
  },
};
