import { dirname, isAbsolute, join, resolve } from 'node:path';
import { warning, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import { findBatchUses, type BatchUses } from '../../import/lpnet/graph-to-lpnet.js';
import { checkFile } from '../../lower/front-end.js';
import type { SourceHost } from '../../parser/module-loader.js';
import { nodeSourceHost } from '../../parser/node-host.js';
import { defaultTransform, type InputTransform } from '../../runtime/data/batches.js';
import { limitSplit, type Dataset } from '../../runtime/data/dataset.js';
import { openDataset } from '../../runtime/data/fashion-mnist.js';
import type { Tensor } from '../../numeric/tensor.js';
import { RUNTIME_CODES } from '../../runtime/codes.js';
import { QUANTIZE_CODES } from '../../runtime/quantize/codes.js';
import { QuantizeSession } from '../../runtime/quantize/quantize-session.js';
import { analyzeTrainNet, checkDataFits, type TrainNet } from '../../runtime/train/train-net.js';
import { loadWeightsFile } from '../../runtime/weights/match-weights.js';
import type { CliIO } from '../io.js';
import { fromCwd, hasErrors, loadNet, parsePairs, printDiagnostics, type Reporter } from '../run/load-net.js';
import type { CommonQuantizeOptions } from './options.js';

/**
 * What `lpc quantize` and `lpc sweep` share before any statistics: the net lowered (with --batch),
 * its rewritten flat forms (QuantizeSession), the data set with its input transform, and the
 * float weights under the rewritten ids. Prints every diagnostic; undefined after an error.
 */

export interface PreparedQuantize {
  reporter: Reporter;
  source: Graph;
  session: QuantizeSession;
  /** The image and label inputs, losses and logits of the rewritten net. */
  net: TrainNet;
  data?: Dataset;
  transform: InputTransform;
  /** Float weights under the rewritten nets' ids. */
  weights?: Map<string, Tensor>;
}

function cwdHost(cwd: string): SourceHost {
  return {
    readFile: (path) => nodeSourceHost.readFile(resolve(cwd, path)),
    resolve: (fromFile, spec) => (isAbsolute(spec) ? spec : join(dirname(fromFile), spec)),
  };
}

/** Where `batch` appears in the net, from a second lowering with another batch; undefined when it cannot be told. */
function batchUses(file: string, g: Graph, o: CommonQuantizeOptions, io: CliIO): { uses?: BatchUses; diagnostics: Diagnostic[] } {
  const b = g.netParams.batch;
  if (typeof b !== 'number') return { diagnostics: [] };
  const pairs = parsePairs(o.param, '--param', RUNTIME_CODES.RUN_BAD_PARAM);
  if ('diagnostic' in pairs) return { diagnostics: [] }; // loadNet has reported it already
  const params = Object.fromEntries([...pairs.pairs, ['batch', String(b + 1)]]);
  const other = checkFile(file, cwdHost(io.cwd), { net: o.net ?? g.name, params }).graphs[0];
  const uses = other ? findBatchUses(g, other, b, b + 1) : undefined;
  if (uses) return { uses, diagnostics: [] };
  return {
    diagnostics: [
      warning(QUANTIZE_CODES.BATCH_LITERAL, `the written net has a fixed batch of ${b}: net ${g.name} uses its batch parameter in a way lpc quantize cannot write back`, undefined, {
        hint: 'evaluate and train it at that batch, or edit the sizes in the written file',
      }),
    ],
  };
}

export async function prepareQuantize(file: string, o: CommonQuantizeOptions, io: CliIO, outFile: string): Promise<PreparedQuantize | undefined> {
  const params = o.batch !== undefined ? [...o.param, `batch=${o.batch}`] : o.param;
  const loaded = loadNet(file, { net: o.net, param: params }, io);
  if (!loaded) return undefined;
  const { graph: source, reporter } = loaded;
  const fail = (ds: Diagnostic[]) => {
    printDiagnostics(reporter, ds);
    return undefined;
  };
  const uses = batchUses(file, source, { ...o, param: params }, io);
  printDiagnostics(reporter, uses.diagnostics);

  const opened = await QuantizeSession.open(source, { keepTypes: o.keepTypes, batch: uses.uses, file: outFile });
  if (!opened.session) return fail(opened.diagnostics);
  const session = opened.session;
  const analyzed = analyzeTrainNet(session.base.graph);
  if (!analyzed.net) return fail(analyzed.diagnostics);
  const net = analyzed.net;

  let data: Dataset | undefined;
  let transform = defaultTransform('f32');
  if (o.data !== undefined) {
    const d = openDataset(o.data, { cwd: io.cwd });
    if (!d.dataset) return fail(d.diagnostics);
    data = { ...d.dataset, train: limitSplit(d.dataset.train, o.limitTrain), test: limitSplit(d.dataset.test, o.limitTest) };
    const problems = checkDataFits(net, source.name, data);
    if (problems.length > 0) return fail(problems);
    transform = defaultTransform(data.pixelType);
    if (o.scale !== undefined) transform.scale = o.scale;
    if (o.mean !== undefined) transform.mean = o.mean;
  }

  let weights: Map<string, Tensor> | undefined;
  if (o.weights !== undefined) {
    const w = loadWeightsFile(source, fromCwd(io, o.weights), o.weights);
    printDiagnostics(reporter, w.diagnostics);
    if (!w.weights || hasErrors(w.diagnostics)) return undefined;
    weights = session.weightsFor(w.weights);
  }
  return { reporter, source, session, net, data, transform, weights };
}
