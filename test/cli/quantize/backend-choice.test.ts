import { afterEach, describe, expect, it } from 'vitest';
import { error } from '../../../src/diag/diagnostic.js';
import { chooseBackend } from '../../../src/cli/quantize/backend-choice.js';
import { TRAIN_BACKENDS, type TrainBackendFactory } from '../../../src/runtime/train/backend-registry.js';
import { evaluationSetup } from '../../../src/runtime/quantize/measure.js';
import { lowerNet } from '../../runtime/train/helpers.js';

const registered: TrainBackendFactory | undefined = TRAIN_BACKENDS.webgpu;
afterEach(() => {
  if (registered) TRAIN_BACKENDS.webgpu = registered;
  else delete TRAIN_BACKENDS.webgpu;
});

const setup = evaluationSetup(
  lowerNet(`net N { input image: f32[2, 4]; input label: i32[2]; logits = dense(image, units: 3); loss xent = softmax_cross_entropy(logits, label) }`),
  1,
).setup!;

describe('which backend lpc quantize and lpc sweep use', () => {
  it('the one named with --backend', async () => {
    const made = await chooseBackend('cpu').factory!(setup);
    expect(made.backend?.name).toBe('cpu');
  });

  it('without --backend: never the CPU reference silently, when this build has no WebGPU backend', () => {
    delete TRAIN_BACKENDS.webgpu;
    const r = chooseBackend(undefined);
    expect(r.factory).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LPC3200']);
    expect(r.diagnostics[0].message).toContain('this build registers no webgpu training backend (it has cpu)');
    expect(r.diagnostics[0].hint).toContain('--backend cpu');
  });

  it('without --backend: WebGPU, and when it finds no adapter, an error that says why (not the CPU)', async () => {
    TRAIN_BACKENDS.webgpu = async () => ({ diagnostics: [error('LPC5000', 'no WebGPU adapter found')] });
    const made = await chooseBackend(undefined).factory!(setup);
    expect(made.backend).toBeUndefined();
    expect(made.diagnostics.map((d) => d.code)).toEqual(['LPC3200']);
    expect(made.diagnostics[0].message).toContain('the default backend webgpu cannot be used: it did not start');
    expect(made.diagnostics[0].notes.map((n) => n.message)).toEqual(['LPC5000: no WebGPU adapter found']);
  });
});
