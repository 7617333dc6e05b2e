import { ts } from 'ts-morph';

/**
 * The generated module compiled for plain JavaScript users: `<Net>.js` (ES2022, ES modules, the
 * imports as written) and `<Net>.d.ts`, by the TypeScript compiler ts-morph carries, one file at
 * a time and without a type checker (transpileModule, transpileDeclaration): every signature of
 * the generated module is written out (it satisfies `isolatedDeclarations`), so the declarations
 * are copies of it and need neither `lpc/runtime` nor the standard library to resolve. A type
 * checker would cost seconds per net; the golden test type-checks the module under `strict`.
 */
export interface CompiledModule {
  js: string;
  dts: string;
}

export function compileModule(fileName: string, text: string): CompiledModule {
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    verbatimModuleSyntax: true,
    newLine: ts.NewLineKind.LineFeed,
  };
  const js = ts.transpileModule(text, { fileName, compilerOptions, reportDiagnostics: true });
  const dts = ts.transpileDeclaration(text, { fileName, compilerOptions: { ...compilerOptions, declaration: true, isolatedDeclarations: true }, reportDiagnostics: true });
  const problems = [...(js.diagnostics ?? []), ...(dts.diagnostics ?? [])].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (problems.length > 0) {
    throw new Error(`compiling ${fileName}: ${problems.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  }
  return { js: js.outputText, dts: dts.outputText };
}
