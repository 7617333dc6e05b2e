import { InvalidArgumentError } from 'commander';

/** Option parsers shared by `run` and `init-weights`. */

export function parseSeed(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new InvalidArgumentError('the seed is a whole number from 0 to 4294967295');
  }
  return n;
}

export function parseScale(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('the scale is a number, e.g. 0.00390625');
  return n;
}

/** For repeatable options: each occurrence appends. */
export const collect = (v: string, acc: string[]) => [...acc, v];
