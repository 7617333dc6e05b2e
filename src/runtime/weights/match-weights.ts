import { error, warning, type Diagnostic } from '../../diag/diagnostic.js';
import { didYouMean } from '../../diag/suggest.js';
import type { Graph } from '../../ir/graph.js';
import { F32, formatNumberType, sameNumberType } from '../../numeric/number-type.js';
import type { Tensor } from '../../numeric/tensor.js';
import { RUNTIME_CODES } from '../codes.js';
import type { LpwContents, StoredTensor } from './lpw-format.js';
import { readLpwFile } from './lpw-read.js';
import { acceptedParamTypes } from './param-types.js';
import { storedParams } from './stored-params.js';

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Matches the tensors of a weights file against a graph's parameters and reports EVERY mismatch
 * at once: parameters the file lacks, tensors the net does not have (with "did you mean"),
 * wrong shapes and types the parameter cannot take. Returns the weights (real values, the
 * master copies the executor quantizes) only when everything matches.
 */
export function matchWeights(graph: Graph, contents: LpwContents, file: string): { weights?: Map<string, Tensor>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map<string, StoredTensor>(contents.tensors.map((t) => [t.name, t]));
  const stored = storedParams(graph);
  const paramIds = new Set(stored.map((v) => v.id));
  const weights = new Map<string, Tensor>();

  if (contents.net !== undefined && contents.net !== graph.name) {
    diagnostics.push(
      warning(RUNTIME_CODES.WEIGHTS_OTHER_NET, `${file}: the weights were written for net '${contents.net}', not '${graph.name}'`, undefined, {
        hint: 'the tensors are matched by name anyway; check that this is the file you meant',
      }),
    );
  }

  for (const value of stored) {
    const id = value.id;
    const entry = byName.get(id);
    if (!entry) {
      diagnostics.push(
        error(RUNTIME_CODES.WEIGHTS_MISSING, `${file}: no tensor for parameter '${id}' ${shapeText(value.type.shape)}`, value.span, {
          hint: 'use the weights written for this net and these net parameters, or omit --weights to start from the fillers',
        }),
      );
      continue;
    }
    let ok = true;
    if (entry.shape.length !== value.type.shape.length || entry.shape.some((d, i) => d !== value.type.shape[i])) {
      diagnostics.push(
        error(
          RUNTIME_CODES.WEIGHTS_WRONG_SHAPE,
          `${file}: tensor '${id}' has shape ${shapeText(entry.shape)} but the net's parameter has shape ${shapeText(value.type.shape)}`,
          value.span,
          { hint: 'the net changed since these weights were written (filters, units, kernel or input size)' },
        ),
      );
      ok = false;
    }
    const accepted = acceptedParamTypes(graph, value);
    if (!accepted.some((t) => sameNumberType(t, entry.type))) {
      diagnostics.push(
        error(
          RUNTIME_CODES.WEIGHTS_WRONG_TYPE,
          `${file}: tensor '${id}' is stored as ${formatNumberType(entry.type)} but the parameter takes ${accepted.map(formatNumberType).join(' or ')}`,
          value.span,
          { hint: 'store master weights as f32, or quantized weights in the type the net declares for them' },
        ),
      );
      ok = false;
    }
    if (ok) {
      // Master weights are f32 whatever the file stored; fixed-point codes with W <= 24 are f32-exact.
      const data = sameNumberType(entry.type, F32) ? entry.data : entry.data.map(Math.fround);
      weights.set(id, { shape: [...value.type.shape], data });
    }
  }

  for (const t of contents.tensors) {
    if (paramIds.has(t.name)) continue;
    diagnostics.push(
      error(RUNTIME_CODES.WEIGHTS_UNEXPECTED, `${file}: tensor '${t.name}' ${shapeText(t.shape)} is not a parameter of net '${graph.name}'`, undefined, {
        hint: didYouMean(t.name, paramIds) ?? 'check that this weights file belongs to this net',
      }),
    );
  }

  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { weights, diagnostics };
}

/** Reads a weights file and matches it against a graph; `shown` is the name messages use. */
export function loadWeightsFile(graph: Graph, path: string, shown = path): { weights?: Map<string, Tensor>; diagnostics: Diagnostic[] } {
  const r = readLpwFile(path, shown);
  if (!r.contents) return { diagnostics: r.diagnostics };
  const m = matchWeights(graph, r.contents, shown);
  return { weights: m.weights, diagnostics: [...r.diagnostics, ...m.diagnostics] };
}

/** The master weights of a graph as tensors to store (f32), in storedParams order. */
export function storedMasters(graph: Graph, weights: ReadonlyMap<string, Tensor>): StoredTensor[] {
  const out: StoredTensor[] = [];
  for (const v of storedParams(graph)) {
    const w = weights.get(v.id);
    if (w) out.push({ name: v.id, shape: [...w.shape], type: F32, data: w.data });
  }
  return out;
}
