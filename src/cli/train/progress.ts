import cliProgress from 'cli-progress';
import type { EpochRecord } from '../../runtime/train/checkpoint.js';
import type { StepProgress, TrainObserver } from '../../runtime/train/train-loop.js';
import type { CliIO } from '../io.js';

/**
 * Progress of `lpc train` on stderr: on a terminal, one bar redrawn in place (cli-progress) with
 * the epoch, loss, accuracy, images/s and ETA, with epoch results and checkpoints printed above
 * it; anywhere else (a log file, CI, tests), plain lines every `display` steps.
 */

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const fixed4 = (x: number) => (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2));

export function stepLine(p: StepProgress): string {
  return `step ${p.step}/${p.totalSteps}  epoch ${p.epoch}/${p.epochs}  loss ${fixed4(p.loss)}  acc ${percent(p.accuracy)}  lr ${p.lr.toPrecision(4)}  ${p.imagesPerSecond.toFixed(1)} img/s  ETA ${formatDuration(p.etaSeconds)}`;
}

export function epochLine(e: EpochRecord, epochs: number): string {
  return `epoch ${e.epoch}/${epochs}: train loss ${fixed4(e.trainLoss)} acc ${percent(e.trainAccuracy)} | test loss ${fixed4(e.testLoss)} acc ${percent(e.testAccuracy)} | ${formatDuration(e.seconds)}`;
}

export interface TrainProgress extends TrainObserver {
  /** Prints a line without breaking the bar. */
  line(text: string): void;
  /** Ends the bar (before the summary is printed). */
  stop(): void;
}

export function createProgress(io: CliIO): TrainProgress {
  let epochs = 1;
  const base = {
    onEpoch: (e: EpochRecord) => show(epochLine(e, epochs)),
    onCheckpoint: (c: { step: number; dir: string }) => show(`checkpoint after step ${c.step}: ${c.dir}`),
    onTest: (t: { step: number; epoch: number; score: { loss: number; accuracy: number } }) =>
      show(`test after step ${t.step}: loss ${fixed4(t.score.loss)} acc ${percent(t.score.accuracy)}`),
  };
  let show = (text: string) => io.err(text);

  if (!io.isTTY || !io.rawErr) {
    return {
      ...base,
      onStart: (i) => {
        epochs = Math.ceil(i.totalSteps / Math.max(i.stepsPerEpoch, 1));
        if (i.startStep > 0) io.err(`resuming after step ${i.startStep} of ${i.totalSteps}`);
      },
      onLog: (p) => io.err(stepLine(p)),
      line: (t) => io.err(t),
      stop: () => undefined,
    };
  }

  const raw = io.rawErr;
  // The bar writes to this stream: cli-progress only needs write, isTTY and columns.
  const stream = { isTTY: true, columns: io.columns ?? 80, write: (s: string) => (raw(s), true) };
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as unknown as NodeJS.WritableStream,
      format: '{bar} {percentage}% | epoch {epoch}/{epochs} | loss {loss} | acc {acc} | {ips} img/s | ETA {eta_text}{status}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let last: StepProgress | undefined;
  const payload = (p: StepProgress | undefined, status = '') => ({
    epoch: p?.epoch ?? 1,
    epochs,
    loss: p ? fixed4(p.loss) : '-',
    acc: p ? percent(p.accuracy) : '-',
    ips: p ? p.imagesPerSecond.toFixed(1) : '-',
    eta_text: p ? formatDuration(p.etaSeconds) : '?',
    status,
  });
  show = (text: string) => {
    raw(`\r\x1b[2K${text}\n`);
    if (started) bar.render();
  };
  return {
    ...base,
    onStart: (i) => {
      epochs = Math.ceil(i.totalSteps / Math.max(i.stepsPerEpoch, 1));
      if (i.startStep > 0) show(`resuming after step ${i.startStep} of ${i.totalSteps}`);
      bar.start(i.totalSteps, i.startStep, payload(undefined));
      started = true;
    },
    onStep: (p) => {
      last = p;
      bar.update(p.step, payload(p));
    },
    onEvaluate: (what, done, total) => bar.update(payload(last, ` | ${what === 'stats' ? 'final test' : 'test'} ${done}/${total}`)),
    line: show,
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
