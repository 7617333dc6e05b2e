/**
 * The browser example: LeNet8 (8-bit fixed-point weights and activations) classifies Fashion-MNIST
 * images in the page, on WebGPU. It imports the module `lpc compile` wrote for the net and nothing
 * else of lpc; `lpc bundle examples/browser/main.ts --browser` makes one file of it (README.md).
 *
 *   ?weights=URL   the .lpw weights to load (default: weights/lenet8.lpw beside the page)
 *
 * Pick one of the first 100 test images, or draw one (white on black, like the data set): the page
 * shows the three likeliest classes and, from the GPU's per-layer statistics, how many of each
 * layer's activations are exactly zero. `window.lpcDemo` offers the same to scripts (the test).
 */
import type { LayerStats } from 'lpc/runtime';
import { LeNet8 } from './build/LeNet8/LeNet8.js';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const IMAGES_URL = 'data/fashion-test-100-images-idx3-ubyte';
const LABELS_URL = 'data/fashion-test-100-labels-idx1-ubyte';
/** u8 pixels to the net's input as `lpc train` feeds them: x * (1/255), rounded to f32. */
const PIXEL_SCALE = 1 / 255;
const SIDE = 28;
const PIXELS = SIDE * SIDE;

export interface Prediction {
  probs: number[];
  top3: { label: number; name: string; p: number }[];
  stats: LayerStats[];
}

/** What the page offers to scripts: the test drives it through this. */
export interface DemoApi {
  ready: Promise<{ adapter: string; weights: string; images: number }>;
  labels: number[];
  classify(index: number): Promise<Prediction>;
  classifyPixels(pixels: number[]): Promise<Prediction>;
}

declare global {
  interface Window {
    lpcDemo: DemoApi;
  }
}

function element<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** An IDX file of unsigned bytes: its dimensions and data. */
function readIdx(bytes: Uint8Array, what: string): { dims: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0 || bytes[2] !== 0x08) throw new Error(`${what} is not an IDX file of unsigned bytes`);
  const rank = bytes[3];
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const start = 4 + 4 * rank;
  return { dims, data: bytes.subarray(start, start + dims.reduce((a, b) => a * b, 1)) };
}

function toInput(pixels: ArrayLike<number>): Float32Array {
  return Float32Array.from({ length: PIXELS }, (_, i) => pixels[i] * PIXEL_SCALE);
}

/** A 28x28 image drawn into a canvas, scaled up with square pixels. */
function drawImage(canvas: HTMLCanvasElement, pixels: ArrayLike<number>): void {
  const small = new ImageData(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    const v = pixels[i];
    small.data.set([v, v, v, 255], i * 4);
  }
  const tmp = document.createElement('canvas');
  tmp.width = SIDE;
  tmp.height = SIDE;
  tmp.getContext('2d')!.putImageData(small, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}

function showPrediction(p: Prediction, truth: number | undefined): void {
  const list = element<HTMLOListElement>('top3');
  list.replaceChildren(
    ...p.top3.map((t) => {
      const li = document.createElement('li');
      const right = truth === undefined ? '' : t.label === truth ? ' correct' : ' wrong';
      li.className = `class${right}`;
      li.innerHTML = `<span class="name"></span><span class="bar"><span class="fill"></span></span><span class="pct"></span>`;
      li.querySelector('.name')!.textContent = t.name;
      (li.querySelector('.fill') as HTMLElement).style.width = `${(t.p * 100).toFixed(1)}%`;
      li.querySelector('.pct')!.textContent = `${(t.p * 100).toFixed(1)}%`;
      return li;
    }),
  );
  element('truth').textContent = truth === undefined ? 'your drawing' : `true class: ${CLASSES[truth]}`;
  showSparsity(p.stats);
}

/** The per-layer activation sparsity as a bar chart (one bar per layer, with its number type). */
function showSparsity(stats: LayerStats[]): void {
  const chart = element('sparsity');
  // The layers up to the logits: softmax's output is the prediction itself.
  const layers = stats.filter((s) => s.op !== 'softmax');
  chart.replaceChildren(
    ...layers.map((s) => {
      const row = document.createElement('div');
      row.className = 'layer';
      row.innerHTML = '<span class="lname"></span><span class="bar"><span class="fill"></span></span><span class="pct"></span>';
      row.querySelector('.lname')!.textContent = `${s.layer.replace(/^logits\//, '')} · ${s.op} · ${s.type}`;
      (row.querySelector('.fill') as HTMLElement).style.width = `${(s.sparsity * 100).toFixed(1)}%`;
      row.querySelector('.pct')!.textContent = `${(s.sparsity * 100).toFixed(1)}%`;
      row.title = `${s.zeros} of ${s.count} values are 0; ${s.saturated} saturated; range [${s.min}, ${s.max}]`;
      return row;
    }),
  );
}

async function main(): Promise<{ api: Omit<DemoApi, 'ready'>; info: { adapter: string; weights: string; images: number } }> {
  const status = element('status');
  const weightsUrl = new URLSearchParams(location.search).get('weights') ?? 'weights/lenet8.lpw';
  status.textContent = 'starting WebGPU…';
  const net = await LeNet8.create();
  const adapter = net.device.capabilities.adapter;
  const adapterName = [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ') || 'WebGPU adapter';
  status.textContent = `loading ${weightsUrl}…`;
  await net.loadWeights(weightsUrl);
  const [images, labels] = await Promise.all([fetchBytes(IMAGES_URL), fetchBytes(LABELS_URL)]);
  const imageIdx = readIdx(images, IMAGES_URL);
  const labelIdx = readIdx(labels, LABELS_URL);
  const count = imageIdx.dims[0];
  const pixelsOf = (i: number) => imageIdx.data.subarray(i * PIXELS, (i + 1) * PIXELS);

  // Calls are queued by the runtime, but the statistics belong to the last run: keep them paired.
  let queue: Promise<unknown> = Promise.resolve();
  const classifyPixels = (pixels: ArrayLike<number>): Promise<Prediction> => {
    const run = queue.then(async () => {
      const { probs } = await net.infer({ image: toInput(pixels) });
      const stats = await net.stats();
      const order = [...probs.keys()].sort((a, b) => probs[b] - probs[a]);
      return { probs: Array.from(probs), top3: order.slice(0, 3).map((k) => ({ label: k, name: CLASSES[k], p: probs[k] })), stats };
    });
    queue = run.catch(() => undefined);
    return run;
  };
  const classify = (index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`image ${index} is not one of 0..${count - 1}`);
    return classifyPixels(pixelsOf(index));
  };

  const big = element<HTMLCanvasElement>('picked');
  const pick = async (index: number) => {
    drawImage(big, pixelsOf(index));
    showPrediction(await classify(index), labelIdx.data[index]);
    for (const t of document.querySelectorAll('.thumb')) t.classList.toggle('selected', t.getAttribute('data-index') === String(index));
  };
  const gallery = element('gallery');
  for (let i = 0; i < count; i++) {
    const c = document.createElement('canvas');
    c.width = SIDE;
    c.height = SIDE;
    c.className = 'thumb';
    c.dataset.index = String(i);
    c.title = `test image ${i}: ${CLASSES[labelIdx.data[i]]}`;
    drawImage(c, pixelsOf(i));
    c.addEventListener('click', () => void pick(i));
    gallery.append(c);
  }

  // Drawing: white strokes on black; classified as the 28x28 average of the canvas.
  const pad = element<HTMLCanvasElement>('draw');
  const pctx = pad.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    pctx.fillStyle = 'black';
    pctx.fillRect(0, 0, pad.width, pad.height);
  };
  clear();
  let drawing = false;
  const at = (e: PointerEvent) => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    pctx.beginPath();
    pctx.moveTo(...(at(e) as [number, number]));
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    pctx.lineWidth = pad.width / 10;
    pctx.lineCap = 'round';
    pctx.strokeStyle = 'white';
    pctx.lineTo(...(at(e) as [number, number]));
    pctx.stroke();
  });
  const drawnPixels = (): number[] => {
    const { data } = pctx.getImageData(0, 0, pad.width, pad.height);
    const cell = pad.width / SIDE;
    const out = new Array<number>(PIXELS).fill(0);
    for (let y = 0; y < pad.height; y++) for (let x = 0; x < pad.width; x++) out[Math.floor(y / cell) * SIDE + Math.floor(x / cell)] += data[(y * pad.width + x) * 4];
    return out.map((v) => Math.round(v / (cell * cell)));
  };
  pad.addEventListener('pointerup', async () => {
    drawing = false;
    const pixels = drawnPixels();
    drawImage(big, pixels);
    showPrediction(await classifyPixels(pixels), undefined);
  });
  element('clear').addEventListener('click', clear);

  status.textContent = `LeNet8 on ${adapterName} · weights ${weightsUrl} · ${count} test images`;
  await pick(0);
  return {
    api: { labels: Array.from(labelIdx.data), classify, classifyPixels: (pixels: number[]) => classifyPixels(pixels) },
    info: { adapter: adapterName, weights: weightsUrl, images: count },
  };
}

const started = main();
const api: DemoApi = {
  ready: started.then((s) => s.info),
  labels: [],
  classify: async (i) => (await started).api.classify(i),
  classifyPixels: async (p) => (await started).api.classifyPixels(p),
};
void started.then(
  (s) => {
    api.labels = s.api.labels;
  },
  (e: unknown) => {
    const status = document.getElementById('status');
    if (status) {
      status.textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
      status.className = 'error';
    }
  },
);
window.lpcDemo = api;
