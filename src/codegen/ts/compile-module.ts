import { ModuleKind, ModuleResolutionKind, Project, ScriptTarget } from 'ts-morph';

/**
 * The generated module compiled for plain JavaScript users: `<Net>.js` (ES2022, ES modules, the
 * imports as written) and `<Net>.d.ts`, emitted by the TypeScript compiler ts-morph carries, in
 * memory. Emission does not need `lpc/runtime` to resolve: every signature of the module is
 * written out, so the declarations are copies of it.
 */
export interface CompiledModule {
  js: string;
  dts: string;
}

export function compileModule(fileName: string, text: string): CompiledModule {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      target: ScriptTarget.ES2022,
      module: ModuleKind.ES2022,
      moduleResolution: ModuleResolutionKind.Bundler,
      declaration: true,
      strict: true,
      removeComments: false,
      newLine: 1, // LF
    },
  });
  project.createSourceFile(fileName, text);
  const stem = fileName.replace(/\.ts$/, '');
  const out = project.emitToMemory();
  const files = out.getFiles();
  const js = files.find((f) => f.filePath.endsWith(`/${stem}.js`));
  const dts = files.find((f) => f.filePath.endsWith(`/${stem}.d.ts`));
  if (!js || !dts) throw new Error(`internal: compiling ${fileName} gave ${files.map((f) => f.filePath).join(', ') || 'no files'}`);
  return { js: js.text, dts: dts.text };
}
