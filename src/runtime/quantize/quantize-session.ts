import type { Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import type { BatchUses } from '../../import/lpnet/graph-to-lpnet.js';
import { F32, type NumberType } from '../../numeric/number-type.js';
import type { Tensor } from '../../numeric/tensor.js';
import type { TensorStats } from '../train/layer-stats.js';
import { assignTypes, tensorsToCalibrate, type StatsLookup, type TypeAssignment } from './assign-types.js';
import type { QuantizePolicy } from './policy.js';
import { noTypes, renameWeights, rewriteNet, sourceTypes, type RewrittenNet } from './rewrite-net.js';

/**
 * One net being quantized, possibly at several widths (`lpc sweep`): the source graph rewritten
 * once as a flat net (`base`: declared types dropped, or kept with keepTypes) and once without any
 * type (`float`, the reference), both with the same ids; calibration runs on `base`, and every
 * quantized net is `base` with chosen types, so weights, statistics and layers line up across all
 * of them by id.
 */
export class QuantizeSession {
  private constructor(
    readonly source: Graph,
    readonly base: RewrittenNet,
    readonly float: RewrittenNet,
    private readonly batch: BatchUses | undefined,
    private readonly file: string,
  ) {}

  static async open(source: Graph, o: { keepTypes: boolean; batch?: BatchUses; file: string }): Promise<{ session?: QuantizeSession; diagnostics: Diagnostic[] }> {
    const floatInputs = new Map<string, NumberType>();
    for (const id of source.inputs) {
      const t = source.values.get(id)?.type.dtype;
      if (t && t.kind !== 'i32') floatInputs.set(id, F32);
    }
    const float = await rewriteNet(source, { types: noTypes(source), inputTypes: floatInputs, batch: o.batch, file: o.file });
    if (!float.net) return { diagnostics: float.diagnostics };
    let base = float.net;
    if (o.keepTypes) {
      const kept = await rewriteNet(source, { types: sourceTypes(source), batch: o.batch, file: o.file });
      if (!kept.net) return { diagnostics: kept.diagnostics };
      base = kept.net;
    }
    return { session: new QuantizeSession(source, base, float.net, remapBatch(o.batch, base.names), o.file), diagnostics: [] };
  }

  /** The source's weights under the rewritten nets' parameter ids. */
  weightsFor(weights: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
    return renameWeights(this.source, this.base.graph, this.base.names, weights);
  }

  /** Tensors the policy chooses a type for: calibration is needed when there are any. */
  toCalibrate(policy: QuantizePolicy): string[] {
    return tensorsToCalibrate(this.base.graph, policy);
  }

  assign(policy: QuantizePolicy, stats: StatsLookup): TypeAssignment {
    return assignTypes(this.base.graph, policy, stats);
  }

  /** The base net with the assignment's types, as text (with `header` and the statistics as comments) and lowered. */
  async write(assignment: TypeAssignment, header: string[]): Promise<{ net?: RewrittenNet; diagnostics: Diagnostic[] }> {
    return rewriteNet(this.base.graph, {
      types: assignment.types,
      inputTypes: assignment.inputTypes,
      notes: assignment.notes,
      header,
      batch: this.batch,
      file: this.file,
    });
  }
}

/** Statistics by tensor id (the last entry wins), for assignTypes. */
export function statsLookup(stats: readonly TensorStats[]): StatsLookup {
  const byTensor = new Map<string, TensorStats>();
  for (const s of stats) byTensor.set(s.tensor, s);
  return (tensor) => {
    const s = byTensor.get(tensor);
    return s?.histogram ? { histogram: s.histogram, maxAbs: s.maxAbs } : undefined;
  };
}

function remapBatch(uses: BatchUses | undefined, names: ReadonlyMap<string, string>): BatchUses | undefined {
  if (!uses) return undefined;
  const rename = <T>(m: Map<string, T>) => new Map([...m].map(([k, v]) => [names.get(k) ?? k, v] as [string, T]));
  return { value: uses.value, inputDims: rename(uses.inputDims), attrs: rename(uses.attrs) };
}
