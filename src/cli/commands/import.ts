import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { renderSnippet } from '../../diag/render.js';
import { F32 } from '../../numeric/number-type.js';
import { commitFiles, type OutputFile } from '../../import/caffe/commit-files.js';
import { importCaffe } from '../../import/caffe/import-caffe.js';
import { encodeLpw } from '../../runtime/weights/lpw-write.js';
import type { CommandContext, LpcCommand } from '../command.js';
import type { CliIO } from '../io.js';

/**
 * `lpc import net.prototxt [--weights net.caffemodel] [--phase train|test] -o net.lpnet
 * [--weights-out net.lpw] [--input-shape data=N,C,H,W ...]`: a Caffe net (V1 or V2, with
 * ADaPTION's LP layers) to .lpnet, and its caffemodel to lpc's weights file. Every output is
 * written only when the whole import succeeded, and then all together (temp files + rename).
 */

interface ImportCliOptions {
  output: string;
  weights?: string;
  weightsOut?: string;
  phase: 'train' | 'test';
  inputShape: string[];
}

function parseInputShapes(pairs: string[]): { shapes: Record<string, number[]> } | Diagnostic {
  const out: Record<string, number[]> = {};
  for (const pair of pairs) {
    const m = /^([^=]+)=([0-9]+(?:[,x][0-9]+)*)$/.exec(pair.trim());
    if (!m) {
      return error('LPC4402', `--input-shape expects name=N,C,H,W, got \`${pair}\``, undefined, { hint: 'e.g. --input-shape data=64,1,28,28' });
    }
    const dims = m[2].split(/[,x]/).map(Number);
    if (dims.some((d) => d < 1)) return error('LPC4402', `--input-shape ${pair}: every dimension must be at least 1`);
    out[m[1]] = dims;
  }
  return { shapes: out };
}

function readInput(path: string, cwd: string, binary: boolean): { text?: string; bytes?: Uint8Array } | Diagnostic {
  try {
    const full = resolve(cwd, path);
    return binary ? { bytes: readFileSync(full) } : { text: readFileSync(full, 'utf8') };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return error('LPC4400', `cannot read ${path}: ${why}`);
  }
}

async function runImport(prototxt: string, opts: ImportCliOptions, io: CliIO): Promise<number> {
  const fail = (ds: Diagnostic[], sources?: Map<string, string>) => {
    for (const d of ds) io.err(renderSnippet(d, { color: io.color, sources }));
    return ds.some((d) => d.severity === 'error') ? 1 : 0;
  };
  const parsedShapes = parseInputShapes(opts.inputShape);
  if ('code' in parsedShapes) return fail([parsedShapes]);
  const shapes = parsedShapes.shapes;
  if (opts.weightsOut && !opts.weights) return fail([error('LPC4402', '--weights-out needs --weights (the caffemodel to convert)')]);
  const net = readInput(prototxt, io.cwd, false);
  if ('code' in net) return fail([net]);
  let model: { bytes: Uint8Array; file: string } | undefined;
  if (opts.weights) {
    const m = readInput(opts.weights, io.cwd, true);
    if ('code' in m) return fail([m]);
    model = { bytes: m.bytes!, file: opts.weights };
  }
  const phase = opts.phase === 'train' ? 'TRAIN' : 'TEST';
  const r = await importCaffe({ text: net.text!, file: prototxt }, model, { phase, inputShapes: shapes });
  const sources = new Map([[prototxt, net.text!]]);
  if (!r.ok || r.lpnet === undefined) {
    fail(r.diagnostics, sources);
    return 1;
  }
  fail(r.diagnostics, sources); // warnings
  const outputs: OutputFile[] = [{ path: resolve(io.cwd, opts.output), content: r.lpnet }];
  if (opts.weightsOut && r.weights && r.graph) {
    const tensors = [...r.weights].map(([name, w]) => ({ name, shape: w.shape, type: F32, data: Float64Array.from(w.data) }));
    const encoded = encodeLpw({ net: r.graph.name, tensors });
    if ('diagnostics' in encoded) return fail(encoded.diagnostics);
    outputs.push({ path: resolve(io.cwd, opts.weightsOut), content: encoded.bytes });
  }
  const written = commitFiles(outputs);
  if (written) return fail([written]);
  const params = r.weights ? `, ${r.weights.size} weight tensors` : '';
  io.out(`${prototxt}: imported net ${r.graph?.name} (${r.net?.nodes.length} layers${params}) -> ${outputs.map((o) => o.path.replace(`${io.cwd}/`, '')).join(', ')}`);
  return 0;
}

export const importCommand: LpcCommand = {
  name: 'import',
  register(program: Command, ctx: CommandContext) {
    program
      .command('import')
      .description('import a Caffe net (prototxt, optional caffemodel; ADaPTION LP layers included) as .lpnet and .lpw')
      .argument('<prototxt>', 'the Caffe net definition (text)')
      .requiredOption('-o, --output <file>', 'the .lpnet file to write')
      .option('--weights <caffemodel>', 'the trained weights (binary .caffemodel)')
      .option('--weights-out <file>', 'write the weights as an lpc .lpw file')
      .addOption(new Option('--phase <phase>', 'which phase of include/exclude rules to import').choices(['train', 'test']).default('test'))
      .option('--input-shape <name=N,C,H,W>', 'shape of a data layer top the file does not give (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
      .action(async (prototxt: string, opts: ImportCliOptions) => {
        ctx.exitCode = await runImport(prototxt, opts, ctx.io);
      });
  },
};
