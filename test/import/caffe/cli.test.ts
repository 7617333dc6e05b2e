import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { concatChunks, encodeCaffemodel } from '../../../src/import/caffe/caffemodel-writer.js';
import { runCli } from '../../../src/cli/main.js';
import { memoryIO } from '../../../src/cli/io.js';
import { netWith } from './helpers.js';

const NET = netWith(`layer { name: "conv1" type: "LPConvolution" bottom: "data" top: "conv1" lpfp_param { bd: 2 ad: 6 } convolution_param { num_output: 2 kernel_size: 3 } }
layer { name: "act1" type: "LPAct" bottom: "conv1" top: "act1" lpfp_param { bd: 4 ad: 4 } }
layer { name: "ip1" type: "InnerProduct" bottom: "act1" top: "ip1" inner_product_param { num_output: 3 } }`);

function workspace() {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpc-caffe-'));
  writeFileSync(path.join(dir, 'net.prototxt'), NET);
  const model = encodeCaffemodel('T', [
    { fields: { name: 'conv1', type: 'LPConvolution' }, blobs: [{ shape: [2, 3, 3, 3], data: new Float32Array(54).fill(0.3) }, { shape: [2], data: Float32Array.of(1, 2) }] },
    { fields: { name: 'ip1', type: 'InnerProduct' }, blobs: [{ shape: [3, 72], data: new Float32Array(216).fill(-0.5) }, { shape: [3], data: new Float32Array(3) }] },
  ]);
  writeFileSync(path.join(dir, 'net.caffemodel'), concatChunks(model));
  return dir;
}

async function lpc(dir: string, ...args: string[]) {
  const io = memoryIO(dir);
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('lpc import / lpc export', () => {
  it('imports a prototxt and caffemodel to .lpnet and .lpw, then exports them back to Caffe', async () => {
    const dir = workspace();
    const imported = await lpc(dir, 'import', 'net.prototxt', '--weights', 'net.caffemodel', '-o', 'net.lpnet', '--weights-out', 'net.lpw');
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    const lpnet = readFileSync(path.join(dir, 'net.lpnet'), 'utf8');
    expect(lpnet).toContain('conv1 = conv(data, filters: 2, kernel: 3, weights: Q2_6) -> Q4_4');
    expect(existsSync(path.join(dir, 'net.lpw'))).toBe(true);
    const checked = await lpc(dir, 'check', 'net.lpnet');
    expect(checked.code).toBe(0);
    const exported = await lpc(dir, 'export', 'net.lpnet', '--weights', 'net.lpw', '--to', 'caffe', '-o', 'out');
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    expect(readFileSync(path.join(dir, 'out.prototxt'), 'utf8')).toContain('type: "LPConvolution"');
    const again = await lpc(dir, 'import', 'out.prototxt', '--weights', 'out.caffemodel', '-o', 'again.lpnet');
    expect(again.code).toBe(0);
  });

  it('a prototxt syntax error prints the location, exits 1 and writes nothing', async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, 'bad.prototxt'), 'layer {\n  name: "x"\n  type: \n}\n');
    const before = readdirSync(dir).sort();
    const r = await lpc(dir, 'import', 'bad.prototxt', '-o', 'bad.lpnet');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error LPC4001');
    expect(r.err).toContain('bad.prototxt:4:1');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('an unknown layer, a dangling bottom and a shape that does not fit: diagnostics, exit 1, nothing written', async () => {
    const dir = workspace();
    const cases = {
      'unknown.prototxt': netWith('layer { name: "x" type: "Swish" bottom: "data" top: "x" }'),
      'dangling.prototxt': netWith('layer { name: "x" type: "ReLU" bottom: "nope" top: "x" }'),
      'shape.prototxt': netWith('layer { name: "x" type: "Convolution" bottom: "data" top: "x" convolution_param { num_output: 1 kernel_size: 20 } }'),
    };
    const codes = { 'unknown.prototxt': 'LPC4100', 'dangling.prototxt': 'LPC4101', 'shape.prototxt': 'LPC4106' };
    for (const [file, text] of Object.entries(cases)) writeFileSync(path.join(dir, file), text);
    const before = readdirSync(dir).sort();
    for (const file of Object.keys(cases)) {
      const r = await lpc(dir, 'import', file, '-o', 'x.lpnet');
      expect(r.code, file).toBe(1);
      expect(r.err).toContain(`error ${codes[file as keyof typeof codes]}`);
      expect(r.err).toContain(`--> ${file}:3:`);
    }
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('a truncated caffemodel: diagnostic, exit 1, neither .lpnet nor .lpw written', async () => {
    const dir = workspace();
    const model = readFileSync(path.join(dir, 'net.caffemodel'));
    writeFileSync(path.join(dir, 'cut.caffemodel'), model.subarray(0, model.length - 100));
    const r = await lpc(dir, 'import', 'net.prototxt', '--weights', 'cut.caffemodel', '-o', 'n.lpnet', '--weights-out', 'n.lpw');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error LPC4200');
    expect(existsSync(path.join(dir, 'n.lpnet'))).toBe(false);
    expect(existsSync(path.join(dir, 'n.lpw'))).toBe(false);
  });

  it('bad options are usage errors', async () => {
    const dir = workspace();
    expect((await lpc(dir, 'import', 'net.prototxt', '-o', 'n.lpnet', '--input-shape', 'data=1,x')).code).toBe(1);
    expect((await lpc(dir, 'import', 'net.prototxt', '-o', 'n.lpnet', '--phase', 'deploy')).code).toBe(2);
    expect((await lpc(dir, 'import', 'missing.prototxt', '-o', 'n.lpnet')).err).toContain('error LPC4400');
  });
});
