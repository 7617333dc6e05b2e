import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearestNames } from '../../src/diag/suggest.js';

describe('did-you-mean suggestions', () => {
  it('counts an adjacent transposition as one edit', () => {
    expect(editDistance('rleu', 'relu')).toBe(1);
    expect(editDistance('sdg', 'sgd')).toBe(1);
    expect(editDistance('conv', 'conv')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests near names, closest first, and nothing for far ones', () => {
    expect(nearestNames('rleu', ['relu', 'tanh', 'conv'])).toEqual(['relu']);
    expect(nearestNames('cnov', ['conv', 'concat', 'dense'])).toEqual(['conv']);
    expect(nearestNames('xyzzy', ['relu', 'conv'])).toEqual([]);
    expect(didYouMean('sdg', ['sgd', 'adam'])).toBe('did you mean `sgd`?');
    expect(didYouMean('max_pol', ['max_pool', 'avg_pool'])).toBe('did you mean `max_pool`?');
  });
});
