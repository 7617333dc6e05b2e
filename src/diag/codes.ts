/**
 * Diagnostic codes are stable: once shipped, a code keeps its meaning. Each area of the compiler
 * declares its own table in its own `codes.ts` (ranges below), and `src/cli/diagnostic-codes.ts`
 * gathers them for `lpc explain-code` and the generated docs/diagnostics.md.
 *
 *   LPC1000-1099  lexer and parser                  src/parser/codes.ts
 *   LPC1100-1199  imports and module loading        src/parser/codes.ts
 *   LPC1200-1299  names, ops and attributes         src/lower/codes.ts
 *   LPC1300-1399  number types                      src/lower/codes.ts
 *   LPC1400-1499  shapes                            src/lower/codes.ts
 *   LPC1500-1599  train section                     src/lower/codes.ts
 *   LPC2000-2999  passes (accumulators, autodiff)   src/passes/codes.ts
 *   LPC3000-3999  runtime, weights files, data      src/runtime/codes.ts
 *   LPC4000-4999  Caffe import/export               src/import/caffe/codes.ts
 *   LPC5000-5999  WGSL codegen and WebGPU           src/codegen/codes.ts
 *   LPC9000-9999  command line and files            src/cli/codes.ts
 */
export interface CodeDoc {
  /** One line: what went wrong, in general terms. */
  summary: string;
  /** What to do about it. */
  fix?: string;
}

export type CodeTable = Readonly<Record<string, CodeDoc>>;
