import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Message, type Plugin } from 'esbuild';
import { BUNDLE_CODES } from '../../codegen/ts/codes.js';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { BROWSER_SUBSTITUTES } from '../../runtime/bundle/browser-substitutes.js';

/**
 * One ES module file from an entry module with esbuild (`lpc bundle`): a compiled net's module, or
 * an app's entry that imports one. `lpc/runtime` resolves to the runtime of the lpc that runs the
 * command (this installation, whether it runs from src/ or dist/), so a bundle never mixes
 * versions. For browsers the runtime's Node-only modules are swapped for their stand-ins
 * (browser-substitutes.ts), and any other Node import (`node:*`, the `webgpu` package) is an
 * error naming the module that asked for it: the output can be loaded by a page as it is.
 */
export interface BundleRequest {
  entry: string;
  outfile: string;
  browser: boolean;
  minify: boolean;
}

export interface BundleResult {
  bytes?: number;
  /** Bytes of the output that came from each input file (esbuild's metafile), largest first. */
  inputs?: { path: string; bytes: number }[];
  diagnostics: Diagnostic[];
}

/** src/ or dist/ of this lpc: the folder above cli/. */
const SOURCE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A module of this lpc by its path under the source root without extension: the .js when built, else the .ts. */
export function lpcModule(stem: string): string {
  const js = join(SOURCE_ROOT, `${stem}.js`);
  return existsSync(js) ? js : join(SOURCE_ROOT, `${stem}.ts`);
}

const withoutExtension = (p: string) => p.replace(/\.(js|ts|mjs|mts)$/, '');

/** `lpc/runtime` -> this lpc's runtime; for browsers, Node-only modules -> their stand-ins, and no Node imports. */
function lpcPlugin(browser: boolean, forbidden: Diagnostic[]): Plugin {
  const substitutes = new Map(BROWSER_SUBSTITUTES.map((s) => [join(SOURCE_ROOT, s.module), s.browser]));
  return {
    name: 'lpc',
    setup(b) {
      b.onResolve({ filter: /^lpc\/runtime$/ }, () => ({ path: lpcModule('runtime/bundle/index') }));
      if (!browser) return;
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = substitutes.get(withoutExtension(resolve(args.resolveDir, args.path)));
        return target ? { path: lpcModule(target) } : undefined;
      });
      b.onResolve({ filter: /^(node:.*|webgpu)$/ }, (args) => {
        forbidden.push(
          error(BUNDLE_CODES.NODE_IMPORT_IN_BROWSER, `the browser bundle would import '${args.path}' (from ${relative(process.cwd(), args.importer) || args.importer})`, undefined, {
            hint: 'a browser has no Node modules: read files with fetch, and let lpc/runtime find WebGPU in navigator.gpu',
          }),
        );
        return { path: args.path, external: true };
      });
    },
  };
}

function messageDiagnostic(m: Message): Diagnostic {
  const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : '';
  return error(BUNDLE_CODES.BUNDLE_BUILD_FAILED, `${where}${m.text}`, undefined, { hint: 'fix the entry module; a generated module that fails to bundle is a bug in lpc' });
}

export async function bundleModule(req: BundleRequest): Promise<BundleResult> {
  const forbidden: Diagnostic[] = [];
  try {
    const r = await build({
      entryPoints: [resolve(req.entry)],
      outfile: resolve(req.outfile),
      bundle: true,
      format: 'esm',
      platform: req.browser ? 'browser' : 'node',
      target: 'es2022',
      minify: req.minify,
      // The webgpu package is a native module: a Node bundle imports it from node_modules at run time.
      external: req.browser ? [] : ['webgpu'],
      plugins: [lpcPlugin(req.browser, forbidden)],
      metafile: true,
      // Written below, only when nothing forbidden was imported.
      write: false,
      logLevel: 'silent',
      absWorkingDir: dirname(resolve(req.entry)),
    });
    if (forbidden.length > 0) return { diagnostics: forbidden };
    const file = r.outputFiles.find((f) => f.path === resolve(req.outfile)) ?? r.outputFiles[0];
    mkdirSync(dirname(resolve(req.outfile)), { recursive: true });
    writeFileSync(resolve(req.outfile), file.contents);
    const out = Object.values(r.metafile.outputs).find((o) => o.entryPoint !== undefined) ?? Object.values(r.metafile.outputs)[0];
    const inputs = Object.entries(out?.inputs ?? {})
      .map(([path, v]) => ({ path, bytes: v.bytesInOutput }))
      .sort((a, b) => b.bytes - a.bytes);
    return { bytes: out?.bytes, inputs, diagnostics: r.warnings.map((w) => ({ ...messageDiagnostic(w), severity: 'warning' as const })) };
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) return { diagnostics: [...forbidden, ...errors.map(messageDiagnostic)] };
    return { diagnostics: [error(BUNDLE_CODES.BUNDLE_BUILD_FAILED, `esbuild failed: ${e instanceof Error ? e.message : String(e)}`)] };
  }
}
