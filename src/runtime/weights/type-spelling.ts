import {
  F32,
  I32,
  OVERFLOW_MODES,
  ROUND_MODES,
  fixedTypeProblem,
  type NumberType,
  type OverflowMode,
  type RoundMode,
} from '../../numeric/number-type.js';

/**
 * Reads a number type back from its spelling in a weights manifest: `f32`, `i32`,
 * `fixed<2, 6>`, `fixed<4, 4, round: stochastic, overflow: saturate>`. Writers use
 * formatNumberType (the canonical spelling); the reader also accepts other spacing and option
 * order, since a manifest may be edited by hand. Returns a reason instead of throwing.
 */
export function parseTypeSpelling(text: string): { type: NumberType } | { problem: string } {
  const s = text.trim();
  if (s === 'f32') return { type: F32 };
  if (s === 'i32') return { type: I32 };
  const m = /^fixed\s*<(.*)>$/s.exec(s);
  if (!m) return { problem: `\`${text}\` is not a number type (expected f32, i32 or fixed<I, F>)` };
  const parts = m[1].split(',').map((p) => p.trim());
  if (parts.length < 2) return { problem: `\`${text}\` needs integer and fraction bits: fixed<I, F>` };
  const [iText, fText, ...options] = parts;
  if (!/^\d+$/.test(iText) || !/^\d+$/.test(fText)) return { problem: `\`${text}\`: I and F must be whole numbers` };
  const intBits = Number(iText);
  const fracBits = Number(fText);
  const problem = fixedTypeProblem(intBits, fracBits);
  if (problem) return { problem: `\`${text}\`: ${problem}` };
  let round: RoundMode = 'nearest';
  let overflow: OverflowMode = 'saturate_symmetric';
  const seen = new Set<string>();
  for (const opt of options) {
    const om = /^(\w+)\s*:\s*(\w+)$/.exec(opt);
    if (!om) return { problem: `\`${text}\`: option \`${opt}\` is not of the form name: value` };
    const [, key, value] = om;
    if (seen.has(key)) return { problem: `\`${text}\`: option \`${key}\` is given twice` };
    seen.add(key);
    if (key === 'round') {
      if (!(ROUND_MODES as readonly string[]).includes(value)) return { problem: `\`${text}\`: unknown rounding mode \`${value}\`` };
      round = value as RoundMode;
    } else if (key === 'overflow') {
      if (!(OVERFLOW_MODES as readonly string[]).includes(value)) return { problem: `\`${text}\`: unknown overflow mode \`${value}\`` };
      overflow = value as OverflowMode;
    } else {
      return { problem: `\`${text}\`: unknown option \`${key}\` (expected round or overflow)` };
    }
  }
  return { type: { kind: 'fixed', intBits, fracBits, round, overflow } };
}
