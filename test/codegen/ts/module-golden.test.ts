/**
 * The generated TypeScript module of examples/lenet.lpnet's LeNet8, checked in at
 * test/golden/ts/LeNet8.ts so that a change to the code generator shows up in review (rewrite
 * with LPC_UPDATE_GOLDEN=1), and type-checked under `strict` against the real `lpc/runtime`
 * together with the declarations of its data module, a small app that uses every method, and the
 * browser example's main.ts (examples/browser/), which imports it from build/LeNet8/.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModuleKind, ModuleResolutionKind, Project, ScriptTarget } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModule } from '../../../src/codegen/ts/compile-module.js';
import { emitModule } from '../../../src/codegen/ts/emit-module.js';
import { moduleInterface } from '../../../src/cli/compile/ts-bundle.js';
import { version } from '../../../src/cli/version.js';
import { runPipeline } from '../../../src/passes/pipeline.js';
import { lowerExampleNet } from '../../helpers/examples.js';
import { expectGolden, GOLDEN_ROOT, REPO_ROOT } from '../../helpers/golden.js';

const work = mkdtempSync(join(tmpdir(), 'lpc-ts-module-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function lenet8Module(): Promise<string> {
  const lowered = lowerExampleNet('lenet.lpnet', 'LeNet8');
  const planned = runPipeline(lowered, { mode: 'inference' });
  const { iface, diagnostics } = moduleInterface(lowered, planned);
  expect(diagnostics).toEqual([]);
  return emitModule(iface, { source: 'examples/lenet.lpnet', lpcVersion: version });
}

describe('the generated module of LeNet8', () => {
  it('matches the golden file', async () => {
    expectGolden(join(GOLDEN_ROOT, 'ts', 'LeNet8.ts'), await lenet8Module());
  });

  it('type-checks under strict against lpc/runtime, with an app that uses it and the browser example', async () => {
    const text = await lenet8Module();
    const programDts = "import type { NetBundle } from 'lpc/runtime';\nexport declare const bundle: NetBundle;\n";
    writeFileSync(join(work, 'LeNet8.ts'), text);
    writeFileSync(join(work, 'program.d.ts'), programDts);
    mkdirSync(join(work, 'build/LeNet8'), { recursive: true });
    writeFileSync(join(work, 'build/LeNet8/LeNet8.ts'), text);
    writeFileSync(join(work, 'build/LeNet8/program.d.ts'), programDts);
    copyFileSync(join(REPO_ROOT, 'examples/browser/main.ts'), join(work, 'main.ts'));
    writeFileSync(
      join(work, 'app.ts'),
      [
        "import { LeNet8, type LeNet8Outputs } from './LeNet8.js';",
        'export async function top(image: Float32Array): Promise<number> {',
        '  const net = await LeNet8.create();',
        "  await net.loadWeights(new URL('https://example.org/lenet8.lpw'));",
        '  const out: LeNet8Outputs = await net.infer({ image });',
        '  const probs: Float32Array = out.probs;',
        '  const ev = await net.evaluate({ image, label: new Int32Array(LeNet8.batch) });',
        '  const step = await net.trainStep({ image, label: new Int32Array(LeNet8.batch) }, { lr: 0.01 });',
        '  const sparsity = (await net.stats()).map((s) => s.sparsity);',
        '  const bytes: Uint8Array = await net.saveWeights();',
        '  net.destroy();',
        '  return probs[0] + ev.top1[0] + step.loss + sparsity.length + bytes.length + LeNet8.spec.inputs.length;',
        '}',
        '',
      ].join('\n'),
    );
    const project = new Project({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: ScriptTarget.ES2022,
        module: ModuleKind.NodeNext,
        moduleResolution: ModuleResolutionKind.NodeNext,
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        types: ['node', '@webgpu/types'],
        typeRoots: [join(REPO_ROOT, 'node_modules/@types'), join(REPO_ROOT, 'node_modules')],
        skipLibCheck: true,
        baseUrl: work,
        paths: { 'lpc/runtime': [join(REPO_ROOT, 'src/runtime/bundle/index.ts')] },
      },
    });
    project.addSourceFilesAtPaths([join(work, '*.ts'), join(work, 'build/LeNet8/*.ts')]);
    writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n');
    const problems = project
      .getPreEmitDiagnostics()
      .filter((d) => d.getSourceFile()?.getFilePath().startsWith(work))
      .map((d) => `${d.getSourceFile()?.getBaseName()}:${d.getLineNumber()} ${project.formatDiagnosticsWithColorAndContext([d])}`);
    expect(problems).toEqual([]);
  });

  it('compiles to JavaScript and declarations that keep the runtime import', async () => {
    const c = compileModule('LeNet8.ts', await lenet8Module());
    expect(c.js).toContain("from 'lpc/runtime'");
    expect(c.js).toContain("from './program.js'");
    expect(c.js).not.toMatch(/export interface|: Float32Array|private readonly net: BundledNet/);
    expect(c.dts).toMatch(/export declare class LeNet8 \{/);
    expect(c.dts).toContain('infer(inputs: LeNet8Inputs, options?: RunOptions): Promise<LeNet8Outputs>;');
  });
});
