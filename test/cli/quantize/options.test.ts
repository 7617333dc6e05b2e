import { describe, expect, it } from 'vitest';
import { parseConfigs, parsePercent, parseWidth, parseWidthList } from '../../../src/cli/quantize/options.js';

describe('quantize and sweep options', () => {
  it('widths: one, a range, a list; 2..32 only', () => {
    expect(parseWidth('8')).toBe(8);
    expect(parseWidthList('4..16')).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(parseWidthList(' 6 .. 6 ')).toEqual([6]);
    expect(parseWidthList('16,4,8,8')).toEqual([4, 8, 16]);
    for (const bad of ['1', '33', '8.5', 'x', '16..4', '4..40']) expect(() => parseWidthList(bad), bad).toThrow();
  });

  it('the percentile is given in percent', () => {
    expect(parsePercent('99.99')).toBeCloseTo(0.9999, 12);
    expect(parsePercent('100')).toBe(1);
    for (const bad of ['0', '-1', '101', '', 'p99']) expect(() => parsePercent(bad), bad).toThrow();
  });

  it('configurations', () => {
    expect(parseConfigs('weights+acts,weights,weights')).toEqual(['weights+acts', 'weights']);
    expect(() => parseConfigs('acts')).toThrow(/unknown configuration 'acts'/);
  });
});
