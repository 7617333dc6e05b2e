import { describe, expect, it } from 'vitest';
import { lowerSource } from '../../src/lower/front-end.js';
import { graphOf, linesOf } from './helpers.js';

const NET = 'net N(batch: int = 16) {\n  input x: f32[batch, 4]\n  output y = relu(x)\n}\n';

describe('train sections', () => {
  it('lowers optimizer, schedule and settings, filling argument defaults', () => {
    const g = graphOf(`${NET}train N {
  optimizer sgd(lr: 0.01, momentum: 0.9, weight_decay: 5e-4)
  schedule  inv(gamma: 1e-4, power: 0.75)
  batch 64; epochs 10; seed 1
  test_interval 500
}`);
    expect(g.train).toMatchObject({
      optimizer: { kind: 'sgd', args: { lr: 0.01, momentum: 0.9, weight_decay: 5e-4 } },
      schedule: { kind: 'inv', args: { gamma: 1e-4, power: 0.75 } },
      batch: 64,
      epochs: 10,
      seed: 1,
      other: { test_interval: 500 },
    });
    expect(g.train?.span?.start.line).toBe(5);
  });

  it('defaults the schedule to fixed and reads a bare schedule name as a call', () => {
    expect(graphOf(`${NET}train N { optimizer adam(lr: 1e-3) }`).train).toMatchObject({
      optimizer: { kind: 'adam', args: { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 } },
      schedule: { kind: 'fixed', args: {} },
    });
    expect(graphOf(`${NET}train N { optimizer rmsprop(lr: 0.1); schedule fixed }`).train).toMatchObject({ optimizer: { kind: 'rmsprop', args: { rms_decay: 0.99, momentum: 0 } }, schedule: { kind: 'fixed', args: {} } });
  });

  it('takes lists for multistep and evaluates values in the net scope', () => {
    const g = graphOf(`${NET}train N { optimizer nesterov(lr: 0.1 / 2, momentum: 0.9); schedule multistep(gamma: 0.1, steps: [100, 200]); batch batch }`);
    expect(g.train?.optimizer.args.lr).toBe(0.05);
    expect(g.train?.schedule).toEqual({ kind: 'multistep', args: { gamma: 0.1, steps: [100, 200] } });
    expect(g.train?.batch).toBe(16);
  });

  it('attaches each train section to its own net only', () => {
    const src = `${NET}${NET.replace('net N', 'net M')}train M { optimizer adagrad(lr: 0.5) }`;
    expect(graphOf(src, { net: 'N' }).train).toBeUndefined();
    expect(graphOf(src, { net: 'M' }).train?.optimizer.kind).toBe('adagrad');
  });

  it('checks ranges and lists', () => {
    expect(
      linesOf(`${NET}train N {
  optimizer sgd(lr: 0.1, momentum: 1)
  schedule multistep(gamma: 0.1, steps: [200, 100])
  seed -1
}`),
    ).toEqual([
      't.lpnet:6:36: error LPC1507: `momentum` of `sgd` must be less than 1, got the int 1',
      't.lpnet:7:41: error LPC1507: `steps` of `multistep` must be a non-empty list of increasing ints, got the list [200, 100]',
      't.lpnet:8:8: error LPC1507: `seed` must be an int from 0 to 4294967295, got -1',
    ]);
  });

  it('takes master_weights true or false, and nothing else', () => {
    expect(graphOf(`${NET}train N { optimizer sgd(lr: 0.1); master_weights false }`).train?.other).toEqual({ master_weights: false });
    expect(graphOf(`${NET}train N { optimizer sgd(lr: 0.1); master_weights true }`).train?.other).toEqual({ master_weights: true });
    expect(graphOf(`${NET}train N { optimizer sgd(lr: 0.1) }`).train?.other).toEqual({});
    expect(
      linesOf(`${NET}train N {
  optimizer sgd(lr: 0.1)
  master_weights 0
}`),
    ).toEqual(['t.lpnet:7:18: error LPC1507: `master_weights` must be true or false, got the int 0']);
    const typo = lowerSource(`${NET}train N { optimizer sgd(lr: 0.1); master_weight false }`, 't.lpnet').diagnostics;
    expect(typo.map((d) => [d.code, d.message, d.hint])).toEqual([['LPC1501', 'unknown train setting `master_weight`', 'did you mean `master_weights`?']]);
  });

  it('reports two train sections for one net', () => {
    expect(linesOf(`${NET}train N { optimizer sgd(lr: 0.1) }\ntrain N { optimizer sgd(lr: 0.2) }`)).toEqual([
      't.lpnet:6:7: error LPC1502: net `N` has two train sections',
    ]);
  });
});
