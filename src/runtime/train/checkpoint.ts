import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import { F32 } from '../../numeric/number-type.js';
import type { Tensor } from '../../numeric/tensor.js';
import { encodeLpw } from '../weights/lpw-write.js';
import { readLpwFile } from '../weights/lpw-read.js';
import { matchWeights } from '../weights/match-weights.js';
import { TRAIN_CODES } from './codes.js';
import { syncFolder, writeFileDurable } from './durable-write.js';
import type { SolverKind } from './solver-spec.js';
import { solverStateFromLpw, solverStateToLpw, type SolverState } from './solver-state.js';

/**
 * Checkpoints of a run folder. A checkpoint is three things written in this order:
 *
 *   checkpoints/step-<n>/weights.lpw   every stored parameter (f32 masters, batch-norm statistics)
 *   checkpoints/step-<n>/solver.lpw    the solver state (momentum, Adam moments) as f32 tensors
 *   checkpoint.json                    the loop state, naming the two files: the commit point
 *
 * Each file is written durably (durable-write.ts: temp file, fsync, rename, fsync of the folder),
 * and checkpoint.json last, so a crash at any moment leaves checkpoint.json naming a complete
 * older or newer checkpoint. Older checkpoint folders are removed after the commit.
 *
 * The loop state is everything else an uninterrupted run would have in memory: the step, the
 * epoch and the position in it (the epoch's data order is recomputed from the seed), the running
 * sums of the epoch's training loss and accuracy, the per-epoch history, and the metrics log's
 * length. Resuming from it continues bit for bit: same batches, same rates, same random draws.
 */

export const CHECKPOINT_FILE = 'checkpoint.json';
export const CHECKPOINT_FORMAT = 1;

export interface EpochRecord {
  /** From 1. */
  epoch: number;
  /** Steps done at its end. */
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
}

export interface LoopState {
  /** Steps done (the next step's index, from 0). */
  step: number;
  /** The epoch in progress, from 0. */
  epoch: number;
  /** Steps done within it. */
  stepInEpoch: number;
  /** Running sums over the steps done in the current epoch. */
  epochLoss: number;
  epochCorrect: number;
  epochCounted: number;
  history: EpochRecord[];
  /** Training time of the run so far, over all its sessions. */
  seconds: number;
}

export function initialLoopState(): LoopState {
  return { step: 0, epoch: 0, stepInEpoch: 0, epochLoss: 0, epochCorrect: 0, epochCounted: 0, history: [], seconds: 0 };
}

interface CheckpointManifest {
  format: number;
  net: string;
  solver: SolverKind;
  weights: string;
  solverState: string;
  metricsBytes: number;
  state: LoopState;
}

export interface Checkpoint {
  state: LoopState;
  params: Map<string, Tensor>;
  solver: SolverState;
  /** Length of metrics.jsonl when the checkpoint was taken. */
  metricsBytes: number;
}

function writeLpwDurable(path: string, contents: Parameters<typeof encodeLpw>[0]): Diagnostic[] {
  const r = encodeLpw(contents);
  if ('diagnostics' in r) return r.diagnostics.map((d) => ({ ...d, message: `${path}: ${d.message}` }));
  const d = writeFileDurable(path, r.bytes);
  return d ? [d] : [];
}

/** Writes a checkpoint of `graph`'s run into `runDir`; returns the folder written, or diagnostics. */
export function writeCheckpoint(runDir: string, graph: Graph, ckpt: Checkpoint): { dir?: string; diagnostics: Diagnostic[] } {
  const name = `step-${String(ckpt.state.step).padStart(8, '0')}`;
  const rel = join('checkpoints', name);
  const dir = join(runDir, rel);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { diagnostics: [error(TRAIN_CODES.RUN_FOLDER_WRITE, `cannot create '${dir}': ${reason}`, undefined, { hint: 'check that the run folder is writable' })] };
  }
  const tensors = graph.params.flatMap((id) => {
    const t = ckpt.params.get(id);
    return t ? [{ name: id, shape: [...t.shape], type: F32, data: t.data }] : [];
  });
  const diagnostics = [
    ...writeLpwDurable(join(dir, 'weights.lpw'), { net: graph.name, tensors }),
    ...writeLpwDurable(join(dir, 'solver.lpw'), solverStateToLpw(ckpt.solver, graph.name)),
  ];
  if (diagnostics.length > 0) return { diagnostics };
  syncFolder(join(runDir, 'checkpoints'));
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    net: graph.name,
    solver: ckpt.solver.kind,
    weights: join(rel, 'weights.lpw'),
    solverState: join(rel, 'solver.lpw'),
    metricsBytes: ckpt.metricsBytes,
    state: ckpt.state,
  };
  const d = writeFileDurable(join(runDir, CHECKPOINT_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
  if (d) return { diagnostics: [d] };
  removeOtherCheckpoints(join(runDir, 'checkpoints'), name);
  return { dir, diagnostics: [] };
}

function removeOtherCheckpoints(folder: string, keep: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const n of names) if (n !== keep && n.startsWith('step-')) rmSync(join(folder, n), { recursive: true, force: true });
}

export function hasCheckpoint(runDir: string): boolean {
  return existsSync(join(runDir, CHECKPOINT_FILE));
}

function bad(message: string): Diagnostic {
  return error(TRAIN_CODES.BAD_CHECKPOINT, message, undefined, { hint: 'the run folder was changed or damaged; start the run again with a new --out folder' });
}

/** Whether a parsed object has the manifest's fields, of the right kinds. */
function isManifest(m: unknown): m is CheckpointManifest {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  const s = o.state as Record<string, unknown> | undefined;
  const counts = ['step', 'epoch', 'stepInEpoch', 'epochCorrect', 'epochCounted'];
  return (
    typeof o.net === 'string' &&
    typeof o.solver === 'string' &&
    typeof o.weights === 'string' &&
    typeof o.solverState === 'string' &&
    typeof o.metricsBytes === 'number' &&
    typeof s === 'object' &&
    s !== null &&
    counts.every((k) => Number.isSafeInteger(s[k]) && (s[k] as number) >= 0) &&
    typeof s.epochLoss === 'number' &&
    typeof s.seconds === 'number' &&
    Array.isArray(s.history)
  );
}

/**
 * Reads the checkpoint of a run folder for `graph` (the training graph) and its trained
 * parameters, checking that every tensor fits.
 */
export function readCheckpoint(
  runDir: string,
  graph: Graph,
  solverKind: SolverKind,
  trained: readonly { id: string; shape: readonly number[] }[],
): { checkpoint?: Checkpoint; diagnostics: Diagnostic[] } {
  const path = join(runDir, CHECKPOINT_FILE);
  if (!existsSync(path)) {
    return {
      diagnostics: [
        error(TRAIN_CODES.NO_CHECKPOINT, `'${runDir}' holds no checkpoint (no ${CHECKPOINT_FILE})`, undefined, {
          hint: 'pass the --out folder of an earlier `lpc train` run; a run writes its first checkpoint after --checkpoint-every steps or its first epoch',
        }),
      ],
    };
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { diagnostics: [bad(`${path} is not valid JSON (${e instanceof Error ? e.message : String(e)})`)] };
  }
  if (!isManifest(manifest) || manifest.format !== CHECKPOINT_FORMAT) return { diagnostics: [bad(`${path} is not an lpc checkpoint of format ${CHECKPOINT_FORMAT}`)] };
  if (manifest.net !== graph.name) {
    return {
      diagnostics: [
        error(TRAIN_CODES.RESUME_MISMATCH, `the checkpoint in '${runDir}' is of net '${manifest.net}', not '${graph.name}'`, undefined, {
          hint: `resume with --net ${manifest.net}, or start a new run with another --out folder`,
        }),
      ],
    };
  }
  if (manifest.solver !== solverKind) {
    return {
      diagnostics: [
        error(TRAIN_CODES.SOLVER_STATE_MISMATCH, `the checkpoint in '${runDir}' was trained with ${manifest.solver}, the train section now says ${solverKind}`, undefined, {
          hint: 'resume with the optimizer the run was started with, or start a new run',
        }),
      ],
    };
  }
  const weightsFile = readLpwFile(join(runDir, manifest.weights), join(runDir, manifest.weights));
  if (!weightsFile.contents) return { diagnostics: weightsFile.diagnostics };
  const matched = matchWeights(graph, weightsFile.contents, join(runDir, manifest.weights));
  if (!matched.weights) return { diagnostics: matched.diagnostics };
  const solverFile = readLpwFile(join(runDir, manifest.solverState), join(runDir, manifest.solverState));
  if (!solverFile.contents) return { diagnostics: solverFile.diagnostics };
  const solver = solverStateFromLpw(solverFile.contents, solverKind, trained, join(runDir, manifest.solverState));
  if (!solver.state) return { diagnostics: solver.diagnostics };
  return { checkpoint: { state: manifest.state, params: matched.weights, solver: solver.state, metricsBytes: manifest.metricsBytes }, diagnostics: [] };
}
