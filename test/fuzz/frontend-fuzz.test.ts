/**
 * Property test of the front end (issue 2): 10,000 random and mutated inputs through the parser
 * and the checker. No exception may escape, every failure must be a diagnostic with a code and
 * (for source errors) a span inside the file, and no single input may take over 1 s.
 *
 * Inputs come from a seeded generator (reproducible; the seed is printed on failure):
 *  - mutations of every example and of hand-written snippets: delete/duplicate/swap/replace a
 *    token, insert a random token or character, truncate at a random point, splice two files;
 *  - random sequences of language tokens (keywords, names, numbers, punctuation, types);
 *  - random printable and control characters.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lowerSource } from '../../src/lower/front-end.js';
import { parseProgram } from '../../src/parser/parse.js';
import { testRandom } from '../helpers/gradcheck.js';

const EXAMPLES_DIR = new URL('../../examples/', import.meta.url);
const examples = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.lpnet'))
  .map((f) => readFileSync(new URL(f, EXAMPLES_DIR), 'utf8'));

const SNIPPETS = [
  'type A = fixed<4, 4, round: stochastic, overflow: wrap>\nnet N(b: int = 2) { input x: f32[b, 3, 8, 8]\n y = relu(conv(x, filters: 4, kernel: 3)) -> A\n output y }',
  'block b(x, n: int = 2) { repeat n as i { x = relu(x) } return x }\nnet M { input x: f32[1, 4]\n output y = b(x, n: 3) }',
  'train N { optimizer adam(lr: 1e-3); schedule step(gamma: 0.1, stepsize: 100); batch 8; epochs 1; seed 7 }',
  'net P { input x: f32[2, 10]\n input l: i32[2]\n z = dense(x, units: 5, weights: fixed<2, 6>, bias: fixed<8, 8>, acc: i32)\n loss e = softmax_cross_entropy(z, l) }',
];

const TOKENS = [
  'net', 'block', 'type', 'input', 'output', 'loss', 'repeat', 'as', 'return', 'train', 'import', 'true', 'false',
  'fixed', 'f32', 'i32', 'int', 'float', 'bool', 'x', 'y', 'conv', 'dense', 'relu', 'max_pool', 'softmax',
  'filters', 'kernel', 'stride', 'pad', 'round', 'overflow', 'nearest', 'stochastic', 'wrap', '0', '1', '-1', '3',
  '64', '2.5', '1e-4', '1e400', '99999999999999999999', '"s"', '"unterminated', '(', ')', '{', '}', '[', ']', '<',
  '>', ',', ':', ';', '=', '->', '+', '-', '*', '/', '%', '#c\n', '\n', ' ', '\t', '@', '$', '\u00e9', '\u0000',
];

const CHARS = ' \n\t(){}[]<>,:;=->+*/%#"\\abcxyz019_.@$\u00e9\u0000\r';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(((r() + 1) / 2) * xs.length) % xs.length];
const int = (r: Rand, n: number) => Math.floor(((r() + 1) / 2) * n) % Math.max(1, n);

function tokenize(text: string): string[] {
  return text.match(/\s+|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:e[-+]?\d+)?|"[^"\n]*"?|->|#[^\n]*|./g) ?? [];
}

function mutate(r: Rand, text: string): string {
  const toks = tokenize(text);
  const n = 1 + int(r, 4);
  for (let k = 0; k < n && toks.length > 0; k++) {
    const i = int(r, toks.length);
    switch (int(r, 7)) {
      case 0: toks.splice(i, 1); break;
      case 1: toks.splice(i, 0, toks[i]); break;
      case 2: { const j = int(r, toks.length); [toks[i], toks[j]] = [toks[j], toks[i]]; break; }
      case 3: toks[i] = pick(r, TOKENS); break;
      case 4: toks.splice(i, 0, pick(r, TOKENS)); break;
      case 5: toks.splice(i, 0, CHARS[int(r, CHARS.length)]); break;
      default: toks.length = i; break;
    }
  }
  return toks.join('');
}

function generate(r: Rand, i: number): string {
  const corpus = [...examples, ...SNIPPETS];
  switch (i % 5) {
    case 0:
    case 1:
    case 2:
      return mutate(r, pick(r, corpus));
    case 3: {
      const len = int(r, 120);
      return Array.from({ length: len }, () => pick(r, TOKENS)).join(int(r, 2) ? ' ' : '');
    }
    default: {
      if (int(r, 2)) {
        const a = pick(r, corpus);
        const b = pick(r, corpus);
        return a.slice(0, int(r, a.length)) + b.slice(int(r, b.length));
      }
      const len = int(r, 300);
      return Array.from({ length: len }, () => CHARS[int(r, CHARS.length)]).join('');
    }
  }
}

describe('front-end fuzzing', () => {
  it('survives 10,000 random and mutated inputs with diagnostics only, each under 1 s', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    const seed = Number(process.env.LPC_FUZZ_SEED ?? 20261125);
    const r = testRandom(seed);
    let slowest = 0;
    let withErrors = 0;
    for (let i = 0; i < 10_000; i++) {
      const text = generate(r, i);
      const t0 = performance.now();
      let result;
      try {
        // The parser alone (what editors call on every keystroke) and the whole checker.
        parseProgram(text, 'fuzz.lpnet');
        result = lowerSource(text, 'fuzz.lpnet');
      } catch (e) {
        throw new Error(`input ${i} (seed ${seed}) threw: ${e instanceof Error ? e.stack : String(e)}\n--- input ---\n${text}`);
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      if (ms > 1000) throw new Error(`input ${i} (seed ${seed}) took ${ms.toFixed(0)} ms\n--- input ---\n${text}`);
      for (const d of result.diagnostics) {
        expect(d.code, `input ${i}`).toMatch(/^LPC\d{4}$/);
        expect(d.message.length, `input ${i}`).toBeGreaterThan(0);
        // "internal error" diagnostics mean a bug in lpc, not bad input.
        expect(d.message, `input ${i}: ${text}`).not.toMatch(/internal error/i);
        if (d.span && d.span.file === 'fuzz.lpnet') {
          expect(d.span.start.line, `input ${i}`).toBeGreaterThanOrEqual(1);
          expect(d.span.start.offset, `input ${i}`).toBeLessThanOrEqual(text.length);
        }
      }
      if (result.diagnostics.some((d) => d.severity === 'error')) withErrors++;
    }
    // Most mutated inputs are wrong; if almost none reported errors the generator would be broken.
    expect(withErrors).toBeGreaterThan(5000);
    console.log(`front-end fuzz: 10,000 inputs, ${withErrors} with errors, slowest ${slowest.toFixed(1)} ms`);
  }, 300_000);
});
