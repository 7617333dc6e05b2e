import { format } from 'prettier';
import { Project, Scope, StructureKind, type MethodDeclarationStructure, type OptionalKind, type PropertySignatureStructure } from 'ts-morph';
import type { NetInterface, OutputInterface, TensorInterface } from './net-interface.js';

/**
 * The TypeScript module of a net (`out/LeNet8/LeNet8.ts`), built as a syntax tree with ts-morph and
 * formatted with prettier: a class named after the net that holds the bundle runtime's BundledNet
 * (imported from `lpc/runtime`, not copied) and gives it the net's own names and types:
 *
 *   static create(device?, options?)   compiles the shaders on a device (navigator.gpu or Dawn)
 *   loadWeights(bytes | url | path)    a .lpw file; saveWeights() gives one back
 *   infer(inputs)                      the label-free outputs, typed (`probs: Float32Array`)
 *   evaluate(batch)                    every output and loss (when some need labels)
 *   trainStep(batch)                   when the net has a loss
 *   stats(), destroy()
 *
 * Every input and output has its number type and shape in a doc comment. The data the class
 * runs (program, shaders, graph) is in `program.js` beside it (bundle-files.ts).
 */
export interface ModuleOptions {
  /** The source file, as shown in the header (a path relative to where lpc ran). */
  source: string;
  lpcVersion: string;
  /** Specifier of the runtime (default `lpc/runtime`). */
  runtime?: string;
  /** Specifier of the data module (default `./program.js`). */
  program?: string;
}

/** Names the module itself uses: a net called like one of them gets `Net` appended to its class. */
const TAKEN = new Set([
  'BundledNet',
  'Float32Array',
  'Float64Array',
  'Int32Array',
  'Uint8Array',
  'Promise',
  'Record',
  'Object',
  'Array',
  'Error',
  'bundle',
]);

export function className(net: string): string {
  const valid = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(net) ? net : net.replace(/[^A-Za-z0-9_$]/g, '_').replace(/^([0-9])/, '_$1');
  return TAKEN.has(valid) ? `${valid}Net` : valid;
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Doc comment text wrapped at `width` columns (the comment's ` * ` is added by ts-morph); code fences are kept as they are. */
export function wrapDoc(text: string, width = 92): string {
  const out: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced || line.startsWith('```') || line.length <= width) {
      out.push(line);
      continue;
    }
    let current = '';
    for (const word of line.split(' ')) {
      if (current && current.length + 1 + word.length > width) {
        out.push(current);
        current = word;
      } else current = current ? `${current} ${word}` : word;
    }
    if (current) out.push(current);
  }
  return out.join('\n');
}
const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** `f32[64, 1, 28, 28]`: 50176 values, NCHW (a partial batch: 1 to 64 items of 784 values). */
function tensorDoc(t: TensorInterface, batch: number | undefined, partial: boolean, returned: boolean): string {
  const n = count(t.shape);
  const order = t.shape.length === 4 ? ' in NCHW order' : t.shape.length > 1 ? ' in row-major order' : '';
  const head = `\`${t.type}${shapeText(t.shape)}\`: ${n} value${n === 1 ? '' : 's'}${order}.`;
  const kind = t.type.startsWith('fixed') ? ` Fixed-point: each value is a code times 2^-F, exact in a ${t.array}.` : '';
  if (!partial || !t.batched || batch === undefined) return head + kind;
  const per = n / batch;
  return returned ? `${head}${kind} As many items as the inputs held (${per} values each).` : `${head}${kind} Takes 1 to ${batch} items of ${per} values.`;
}

function properties(list: readonly TensorInterface[], doc: (t: TensorInterface) => string): OptionalKind<PropertySignatureStructure>[] {
  return list.map((t) => ({ name: t.name, type: t.array, docs: [wrapDoc(doc(t), 88)] }));
}

/** `{ image: inputs.image, label: inputs.label }` */
function pick(names: readonly string[], from: string): string {
  return `{ ${names.map((n) => `${n}: ${from}.${n}`).join(', ')} }`;
}

/** `{ probs: out.probs as Float32Array }` */
function typedResult(list: readonly OutputInterface[], from: string): string {
  return `{ ${list.map((o) => `${o.name}: ${from}.${o.name} as ${o.array}`).join(', ')} }`;
}

export function emitModuleSource(iface: NetInterface, opts: ModuleOptions): string {
  const cls = className(iface.net);
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile(`${cls}.ts`, '');
  const inputs = iface.inputs.filter((t) => iface.infer.inputs.includes(t.name));
  const outputs = iface.outputs.filter((o) => iface.infer.outputs.includes(o.name));
  const everything = [...iface.outputs, ...iface.losses];
  const params = Object.entries(iface.netParams)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ');

  const runtimeNames = ['BundledNet', 'type BundledNetOptions', 'type DeviceChoice', 'type LayerStats', 'type LpcDevice', 'type NetInterface', 'type RunOptions', 'type WeightsSource'];
  if (iface.train) runtimeNames.push('type TrainStepOptions', 'type TrainStepResult');
  file.addImportDeclaration({ moduleSpecifier: opts.runtime ?? 'lpc/runtime', namedImports: runtimeNames.sort((a, b) => a.replace('type ', '').localeCompare(b.replace('type ', ''))) });
  file.addImportDeclaration({ moduleSpecifier: opts.program ?? './program.js', namedImports: ['bundle'] });

  file.addInterface({
    name: `${cls}Inputs`,
    isExported: true,
    docs: [`The inputs of \`${cls}.infer\`.`],
    properties: properties(inputs, (t) => tensorDoc(t, iface.batch, iface.infer.partialBatch, false)),
  });
  file.addInterface({
    name: `${cls}Outputs`,
    isExported: true,
    docs: [`What \`${cls}.infer\` returns.`],
    properties: properties(outputs, (t) => tensorDoc(t, iface.batch, iface.infer.partialBatch, true)),
  });
  const batchType = `${cls}Batch`;
  if (iface.evaluate || iface.train) {
    file.addInterface({
      name: batchType,
      isExported: true,
      docs: [`Every input of ${cls}, labels included: what \`${[iface.evaluate ? 'evaluate' : '', iface.train ? 'trainStep' : ''].filter(Boolean).join('` and `')}\` take${iface.evaluate && iface.train ? '' : 's'}.`],
      properties: properties(iface.inputs, (t) => tensorDoc(t, iface.batch, false, false)),
    });
  }
  if (iface.evaluate) {
    file.addInterface({
      name: `${cls}Evaluation`,
      isExported: true,
      docs: [`What \`${cls}.evaluate\` returns: every output and loss.`],
      properties: properties(everything, (t) => tensorDoc(t, iface.batch, false, true)),
    });
  }

  const methods: OptionalKind<MethodDeclarationStructure>[] = [
    {
      name: 'create',
      isStatic: true,
      isAsync: true,
      docs: [
        `Opens ${cls} on a WebGPU device: the one given (from \`acquireDevice()\`, to share it between nets), or one acquired with these options (navigator.gpu in a browser, the \`webgpu\` package in Node), which \`destroy()\` then releases. Compiles every shader.`,
      ],
      parameters: [
        { name: 'device', type: 'DeviceChoice', hasQuestionToken: true },
        { name: 'options', type: 'BundledNetOptions', hasQuestionToken: true },
      ],
      returnType: `Promise<${cls}>`,
      statements: [`return new ${cls}(await BundledNet.create(bundle, device, options));`],
    },
    {
      name: 'loadWeights',
      docs: ['Loads a .lpw weights file (from training or `lpc init-weights`): its bytes, a URL to fetch, or in Node a file path.'],
      parameters: [{ name: 'source', type: 'WeightsSource' }],
      returnType: 'Promise<void>',
      statements: ['return this.net.loadWeights(source);'],
    },
    {
      name: 'saveWeights',
      docs: ['The current weights (trained ones included) as the bytes of a .lpw file (f32 master values).'],
      returnType: 'Promise<Uint8Array>',
      statements: ['return this.net.saveWeights();'],
    },
    {
      name: 'infer',
      isAsync: true,
      docs: [
        `Runs ${cls} on these inputs and returns ${outputs.map((o) => `\`${o.name}\``).join(', ')}.` +
          (iface.infer.partialBatch ? ` Takes 1 to ${iface.batch} items; padding is added and removed here.` : ''),
      ],
      parameters: [
        { name: 'inputs', type: `${cls}Inputs` },
        { name: 'options', type: 'RunOptions', hasQuestionToken: true },
      ],
      returnType: `Promise<${cls}Outputs>`,
      statements: [`const out = await this.net.infer(${pick(iface.infer.inputs, 'inputs')}, options);`, `return ${typedResult(outputs, 'out')};`],
    },
  ];
  if (iface.evaluate) {
    methods.push({
      name: 'evaluate',
      isAsync: true,
      docs: [`Runs ${cls} on a whole batch, labels included, and returns every output and loss.`],
      parameters: [
        { name: 'batch', type: batchType },
        { name: 'options', type: 'RunOptions', hasQuestionToken: true },
      ],
      returnType: `Promise<${cls}Evaluation>`,
      statements: [`const out = await this.net.evaluate(${pick(iface.inputs.map((t) => t.name), 'batch')}, options);`, `return ${typedResult(everything, 'out')};`],
    });
  }
  if (iface.train) {
    methods.push({
      name: 'trainStep',
      docs: [
        `One training step on the GPU (forward, backward, solver update with the net's train settings) on a whole batch; returns the loss and the top-1 count. \`options.lr\` overrides the learning rate of this step.`,
      ],
      parameters: [
        { name: 'batch', type: batchType },
        { name: 'options', type: 'TrainStepOptions', hasQuestionToken: true },
      ],
      returnType: 'Promise<TrainStepResult>',
      statements: [`return this.net.trainStep(${pick(iface.inputs.map((t) => t.name), 'batch')}, options);`],
    });
  }
  methods.push(
    {
      name: 'stats',
      docs: ['Per-layer statistics of the last run, computed on the GPU: activation sparsity (share of exact zeros), saturation, NaN, min and max.'],
      returnType: 'Promise<LayerStats[]>',
      statements: ['return this.net.stats();'],
    },
    {
      name: 'destroy',
      docs: ['Frees the GPU buffers (and the device, when `create` acquired it).'],
      returnType: 'void',
      statements: ['this.net.destroy();'],
    },
  );

  for (const m of methods) m.docs = m.docs?.map((d) => (typeof d === 'string' ? wrapDoc(d) : d));
  file.addClass({
    kind: StructureKind.Class,
    name: cls,
    isExported: true,
    docs: [
      `${cls}, compiled by lpc ${opts.lpcVersion} from ${opts.source}${params ? ` with ${params}` : ''}.\n\n` +
        '```ts\n' +
        `const net = await ${cls}.create();\n` +
        `await net.loadWeights('${cls.toLowerCase()}.lpw');\n` +
        `const { ${outputs.map((o) => o.name).join(', ')} } = await net.infer({ ${inputs.map((t) => t.name).join(', ')} });\n` +
        '```',
    ],
    properties: [
      {
        name: 'spec',
        isStatic: true,
        isReadonly: true,
        type: 'NetInterface',
        initializer: 'bundle.interface',
        docs: [wrapDoc('Names, number types and shapes of the inputs and outputs, and which call takes and returns which.')],
      },
      ...(iface.batch !== undefined
        ? [{ name: 'batch', isStatic: true, isReadonly: true, type: 'number', initializer: String(iface.batch), docs: ['Items per call: the net parameter `batch` it was compiled with.'] }]
        : []),
    ],
    ctors: [{ scope: Scope.Private, parameters: [{ name: 'net', type: 'BundledNet', scope: Scope.Private, isReadonly: true }] }],
    getAccessors: [
      {
        name: 'device',
        docs: [wrapDoc('The WebGPU device the net runs on (pass it to `create` of another net to share it).')],
        returnType: 'LpcDevice',
        statements: ['return this.net.device;'],
      },
    ],
    methods,
  });

  const header = [
    `// ${cls}: the net ${iface.net} of ${opts.source}, compiled by lpc ${opts.lpcVersion}.`,
    '// Generated by `lpc compile`: do not edit; compile the net again after changing it.',
    '',
  ].join('\n');
  return header + file.getFullText();
}

/** The module's text, formatted with prettier (the result is what lpc writes and the golden test compares). */
export async function emitModule(iface: NetInterface, opts: ModuleOptions): Promise<string> {
  return format(emitModuleSource(iface, opts), { parser: 'typescript', printWidth: 100, singleQuote: true, trailingComma: 'all' });
}
