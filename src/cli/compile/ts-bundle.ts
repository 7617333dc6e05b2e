import { format } from 'prettier';
import { netBundle, type NetBundle } from '../../codegen/ts/bundle-format.js';
import { BUNDLE_CODES } from '../../codegen/ts/codes.js';
import { compileModule } from '../../codegen/ts/compile-module.js';
import { className, emitModule } from '../../codegen/ts/emit-module.js';
import { netInterface, type NetInterface } from '../../codegen/ts/net-interface.js';
import type { BackwardPlan } from '../../passes/autodiff.js';
import { programModule } from '../../codegen/ts/program-module.js';
import type { WgslProgram } from '../../codegen/wgsl/program-types.js';
import { error, warning, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../numeric/tensor.js';
import type { PipelineResult } from '../../passes/pipeline.js';
import { quantizeToCodes } from '../../runtime/webgpu/host-packing.js';
import { buildTrainSetup, resolveSettings } from '../../runtime/train/session.js';
import { encodeLpw } from '../../runtime/weights/lpw-write.js';
import type { StoredTensor } from '../../runtime/weights/lpw-format.js';
import { storedParams } from '../../runtime/weights/stored-params.js';
import { version } from '../version.js';

/**
 * The files of a net's folder that make it a package an app imports (docs/bundles.md), beside
 * what wgsl-bundle.ts writes (shaders, manifest, plan, graph):
 *
 *   <Net>.ts, <Net>.js, <Net>.d.ts   the typed module (emit-module.ts) and its compiled forms
 *   program.js, program.d.ts         the data it runs: program, shaders, graph (program-module.ts)
 *   package.json                     name, entry points, lpc as a peer dependency
 *   weights.lpw                      with --weights: the weights, each parameter stored in the type
 *                                    the program keeps it in (packed codes), f32 where it keeps f32
 *
 * For a net with a loss the bundle also carries the graph planned for training and its backward
 * plan, so the module gets `trainStep`; when the net cannot be planned for training, the module is
 * written without it and a warning says why.
 */
export interface TsBundleInput {
  /** The net as lowered (before the passes): training is planned from it. */
  lowered: Graph;
  planned: PipelineResult;
  program: WgslProgram;
  /** The source file as the user named it (shown in the module's header). */
  source: string;
  /** Master weights matched against `lowered`, to store packed in the folder. */
  weights?: ReadonlyMap<string, Tensor>;
}

export interface TsBundleOutput {
  files: Record<string, string | Uint8Array>;
  diagnostics: Diagnostic[];
  /** The class name (file stem of the module). */
  className: string;
  bundle: NetBundle;
}

/** npm package name of a net's folder: lower case, `-` for anything npm does not allow. */
export function packageName(net: string): string {
  return net.toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[._]/, 'net-');
}

function trainingOf(lowered: Graph): { training?: { graph: Graph; plan: BackwardPlan }; diagnostics: Diagnostic[] } {
  if (lowered.losses.length === 0) return { diagnostics: [] };
  const settings = resolveSettings(lowered, {});
  const why = (ds: Diagnostic[]) => ds.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`).join('; ');
  const skipped = (reason: string): Diagnostic =>
    warning(BUNDLE_CODES.TRAIN_STEP_OMITTED, `net '${lowered.name}': the module gets no trainStep, since the net cannot be trained here: ${reason}`, undefined, {
      hint: '`lpc train` says more; inference is not affected',
    });
  if (!settings.settings) return { diagnostics: [skipped(why(settings.diagnostics))] };
  const s = settings.settings;
  const setup = buildTrainSetup(lowered, s.solver, s.seed, { masterWeights: s.masterWeights });
  if (!setup.setup) return { diagnostics: [skipped(why(setup.diagnostics))] };
  return { training: { graph: setup.setup.graph, plan: setup.setup.plan }, diagnostics: [] };
}

/**
 * The weights file of the folder: every stored parameter the program keeps in one fixed-point
 * type, as its codes (rounded once here exactly as the runtime would round it on upload: the
 * reference quantizer, stochastic types with `nearest`); the others as f32.
 */
export function packedWeights(graph: Graph, program: WgslProgram, weights: ReadonlyMap<string, Tensor>): { bytes?: Uint8Array; diagnostics: Diagnostic[] } {
  const tensors: StoredTensor[] = [];
  for (const v of storedParams(graph)) {
    const w = weights.get(v.id);
    if (!w) continue;
    const variants = [...program.tensors.values()].filter((t) => t.role === 'param' && t.stored?.param === v.id);
    const type = variants.length === 1 ? variants[0].type : undefined;
    if (type?.kind === 'fixed') {
      const codes = quantizeToCodes(w.data, type);
      const scale = 2 ** -type.fracBits;
      tensors.push({ name: v.id, shape: [...w.shape], type, data: Float64Array.from(codes, (k) => k * scale) });
    } else {
      tensors.push({ name: v.id, shape: [...w.shape], type: { kind: 'f32' }, data: Float64Array.from(w.data, Math.fround) });
    }
  }
  const r = encodeLpw({ net: graph.name, tensors });
  return 'bytes' in r ? { bytes: r.bytes, diagnostics: [] } : { diagnostics: r.diagnostics };
}

/** The compiled .js and .d.ts in the same style as the .ts (prettier). */
async function formatted(c: { js: string; dts: string }): Promise<{ js: string; dts: string }> {
  const style = { printWidth: 100, singleQuote: true, trailingComma: 'all' } as const;
  return { js: await format(c.js, { parser: 'babel', ...style }), dts: await format(c.dts, { parser: 'typescript', ...style }) };
}

/** What the module exposes, and the training graph and plan when `trainStep` can be offered. */
export function moduleInterface(lowered: Graph, planned: PipelineResult): { iface: NetInterface; training?: { graph: Graph; plan: BackwardPlan }; diagnostics: Diagnostic[] } {
  const train = trainingOf(lowered);
  const iface = { ...netInterface(planned.graph), train: train.training !== undefined };
  return { iface, ...(train.training ? { training: train.training } : {}), diagnostics: train.diagnostics };
}

export async function tsBundleFiles(input: TsBundleInput): Promise<TsBundleOutput | { diagnostics: Diagnostic[] }> {
  const { lowered, planned, program } = input;
  const diagnostics: Diagnostic[] = [];
  const { iface, training, diagnostics: trainNotes } = moduleInterface(lowered, planned);
  diagnostics.push(...trainNotes);
  const bundle = netBundle(program, planned.graph, iface, version, training);
  const cls = className(lowered.name);
  let moduleText: string;
  let compiled: { js: string; dts: string };
  try {
    moduleText = await emitModule(iface, { source: input.source, lpcVersion: version });
    compiled = await formatted(compileModule(`${cls}.ts`, moduleText));
  } catch (e) {
    return {
      diagnostics: [
        error(BUNDLE_CODES.MODULE_EMIT_FAILED, `the TypeScript module of net '${lowered.name}' could not be generated: ${e instanceof Error ? e.message : String(e)}`, undefined, {
          hint: 'this is a bug in lpc; please report it with the net',
        }),
      ],
    };
  }
  const data = programModule(bundle, version);
  const files: Record<string, string | Uint8Array> = {
    [`${cls}.ts`]: moduleText,
    [`${cls}.js`]: compiled.js,
    [`${cls}.d.ts`]: compiled.dts,
    'program.js': data.js,
    'program.d.ts': data.dts,
    'package.json': `${JSON.stringify(
      {
        name: packageName(lowered.name),
        version,
        description: `The net ${lowered.name} of ${input.source}, compiled by lpc ${version}`,
        private: true,
        type: 'module',
        main: `./${cls}.js`,
        types: `./${cls}.d.ts`,
        exports: { '.': { types: `./${cls}.d.ts`, default: `./${cls}.js` }, './*': './*' },
        peerDependencies: { lpc: `^${version}` },
      },
      null,
      2,
    )}\n`,
  };
  if (input.weights) {
    const w = packedWeights(lowered, program, input.weights);
    diagnostics.push(...w.diagnostics);
    if (!w.bytes) return { diagnostics };
    files['weights.lpw'] = w.bytes;
  }
  return { files, diagnostics, className: cls, bundle };
}
