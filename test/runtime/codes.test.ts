import { describe, expect, it } from 'vitest';
import { RUNTIME_CODES, runtimeCodes } from '../../src/runtime/codes.js';

describe('runtime diagnostic codes', () => {
  it('are unique, in LPC3000-3999, and each documented with a summary and a fix', () => {
    const codes = Object.values(RUNTIME_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toMatch(/^LPC3\d{3}$/);
      expect(runtimeCodes[code]?.summary, code).toBeTruthy();
      expect(runtimeCodes[code]?.fix, code).toBeTruthy();
    }
    expect(Object.keys(runtimeCodes).sort()).toEqual([...codes].sort());
  });
});
