import type { CodeDoc, CodeTable } from '../diag/codes.js';
import { wgslLibCodes } from '../codegen/wgsl/lib/codes.js';
import { formatCodes } from '../format/codes.js';
import { caffeCodes } from '../import/caffe/codes.js';
import { LOWER_CODES } from '../lower/codes.js';
import { PARSER_CODES } from '../parser/codes.js';
import { passCodes } from '../passes/codes.js';
import { runtimeCodes } from '../runtime/codes.js';
import { datasetCodes } from '../runtime/data/dataset-codes.js';
import { quantizeCodes } from '../runtime/quantize/codes.js';
import { trainCodes } from '../runtime/train/codes.js';
import { webgpuCodes } from '../runtime/webgpu/codes.js';
import { compileCodes } from './compile/codes.js';
import { diffCodes } from './diff/codes.js';
import { codegenCodes } from '../codegen/codes.js';
import { bundleCodes } from '../codegen/ts/codes.js';
import { webgpuTrainCodes } from '../runtime/webgpu/train/codes.js';
import { tuneCodes } from '../runtime/webgpu/tune/codes.js';

/** Every area's code table, in pipeline order, with the area's name for the docs. */
export const CODE_TABLES: readonly { area: string; table: CodeTable }[] = [
  { area: 'lexer, parser and imports', table: PARSER_CODES },
  { area: 'names, ops, attributes, number types, shapes, train sections', table: LOWER_CODES },
  { area: 'passes and the IR verifier', table: passCodes },
  { area: 'runtime: weights files, inputs, CPU backend', table: runtimeCodes },
  { area: 'training', table: trainCodes },
  { area: 'data sets', table: datasetCodes },
  { area: '`lpc quantize` and `lpc sweep`', table: quantizeCodes },
  { area: 'Caffe import and export', table: caffeCodes },
  { area: 'WGSL emission', table: wgslLibCodes },
  { area: 'WebGPU devices', table: webgpuCodes },
  { area: 'WGSL program planning', table: codegenCodes },
  { area: 'compiled bundles: the generated module, `lpc/runtime`, `lpc bundle`', table: bundleCodes },
  { area: 'training on WebGPU', table: webgpuTrainCodes },
  { area: 'kernel tuning: `lpc tune` and its cache', table: tuneCodes },
  { area: '`lpc compile`', table: compileCodes },
  { area: '`lpc diff`', table: diffCodes },
  { area: '`lpc fmt`', table: formatCodes },
];

/** All codes, sorted. A code listed twice with different text is a bug caught by the tests. */
export function allCodes(): { code: string; area: string; doc: CodeDoc }[] {
  const out: { code: string; area: string; doc: CodeDoc }[] = [];
  const seen = new Set<string>();
  for (const { area, table } of CODE_TABLES) {
    for (const [code, doc] of Object.entries(table)) {
      if (seen.has(code)) continue;
      seen.add(code);
      out.push({ code, area, doc });
    }
  }
  return out.sort((a, b) => a.code.localeCompare(b.code));
}

export function lookupCode(code: string): { code: string; area: string; doc: CodeDoc } | undefined {
  const want = code.toUpperCase();
  return allCodes().find((c) => c.code === want);
}

/** docs/diagnostics.md, generated (scripts/gen-diagnostics-doc.mjs writes it; a test checks it is current). */
export function diagnosticsMarkdown(): string {
  const lines = [
    '# lpc diagnostics',
    '',
    'Every message lpc gives has a stable code. `lpc codes CODE` prints the entry for one code.',
    'This file is generated from the code tables in the source (`npm run gen:diagnostics`); do not edit it by hand.',
    '',
  ];
  for (const { area, table } of CODE_TABLES) {
    const entries = Object.entries(table).sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) continue;
    lines.push(`## ${area}`, '', '| code | what went wrong | what to do |', '| --- | --- | --- |');
    for (const [code, doc] of entries) {
      const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
      lines.push(`| ${code} | ${cell(doc.summary)} | ${cell(doc.fix)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
