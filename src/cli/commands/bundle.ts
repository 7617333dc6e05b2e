import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { BUNDLE_CODES } from '../../codegen/ts/codes.js';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { renderSnippet } from '../../diag/render.js';
import { formatBytes } from '../../passes/explain.js';
import { bundleModule } from '../bundle/build-bundle.js';
import type { CommandContext, LpcCommand } from '../command.js';
import type { CliIO } from '../io.js';

/**
 * `lpc bundle PATH [--browser] [-o FILE] [--no-minify]`: one ES module file, made by esbuild,
 * from a net's folder written by `lpc compile -o` (its module, named by the folder's package.json;
 * given the output folder of `-o` itself, each net's folder in it), or from an app's entry module
 * that imports one. With `--browser` the file has no Node imports
 * and runs in a page (WebGPU from navigator.gpu); without, it is a Node module that imports only
 * the `webgpu` package. The runtime comes from this lpc (`lpc/runtime`), inlined, not copied into
 * the folder. Prints the size, minified and gzipped.
 */
interface BundleCliOptions {
  browser?: boolean;
  out?: string;
  minify: boolean;
}

/** The entry module and the default output of PATH, or why PATH is neither a net folder nor a module. */
function entryOf(path: string, browser: boolean): { entry: string; outfile: string } | { diagnostic: Diagnostic } {
  const notBundle = (why: string) => ({
    diagnostic: error(BUNDLE_CODES.NOT_A_BUNDLE, `${path}: ${why}`, undefined, { hint: 'pass a folder written by `lpc compile net.lpnet -o out/` (out/<Net>), or a .ts/.js module' }),
  });
  if (!existsSync(path)) return notBundle('no such file or folder');
  const suffix = browser ? 'browser' : 'node';
  if (statSync(path).isDirectory()) {
    const pkgPath = join(path, 'package.json');
    if (!existsSync(pkgPath)) return notBundle('the folder has no package.json, so it was not written by `lpc compile -o` (nor are there nets in folders inside it)');
    let main: unknown;
    try {
      main = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { main?: unknown }).main;
    } catch (e) {
      return notBundle(`its package.json is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (typeof main !== 'string' || !existsSync(join(path, main))) return notBundle('its package.json names no module that exists (`main`)');
    const stem = basename(main, extname(main));
    return { entry: join(path, main), outfile: join(path, `${stem}.${suffix}.js`) };
  }
  if (!/\.(m?[jt]s)$/.test(path)) return notBundle('it is not a folder, a .ts file or a .js file');
  return { entry: path, outfile: join(path, '..', `${basename(path, extname(path))}.${suffix}.js`) };
}

/** The net folders inside the output folder of `lpc compile -o` (those with a package.json). */
function netFolders(path: string): string[] {
  if (!existsSync(path) || !statSync(path).isDirectory() || existsSync(join(path, 'package.json'))) return [];
  return readdirSync(path)
    .filter((name) => !name.startsWith('.') && existsSync(join(path, name, 'package.json')))
    .sort()
    .map((name) => join(path, name));
}

async function bundle(path: string, opts: BundleCliOptions, io: CliIO): Promise<number> {
  const nets = netFolders(resolve(io.cwd, path));
  if (nets.length > 1 && opts.out !== undefined) {
    io.err(renderSnippet(error(BUNDLE_CODES.NOT_A_BUNDLE, `${path} holds ${nets.length} nets; -o names one file`, undefined, { hint: `bundle one net folder, e.g. ${relative(io.cwd, nets[0])}` }), { color: io.color }));
    return 1;
  }
  if (nets.length > 0) {
    let code = 0;
    for (const net of nets) code = Math.max(code, await bundleOne(net, opts, io));
    return code;
  }
  return bundleOne(resolve(io.cwd, path), opts, io);
}

async function bundleOne(path: string, opts: BundleCliOptions, io: CliIO): Promise<number> {
  const print = (ds: readonly Diagnostic[]) => {
    for (const d of ds) io.err(renderSnippet(d, { color: io.color }));
  };
  const browser = opts.browser === true;
  const found = entryOf(path, browser);
  if ('diagnostic' in found) {
    print([found.diagnostic]);
    return 1;
  }
  const outfile = opts.out !== undefined ? resolve(io.cwd, opts.out) : found.outfile;
  const r = await bundleModule({ entry: found.entry, outfile, browser, minify: opts.minify });
  print(r.diagnostics);
  if (r.bytes === undefined || r.diagnostics.some((d) => d.severity === 'error')) return 1;
  const gz = gzipSync(readFileSync(outfile)).length;
  const shown = relative(io.cwd, outfile) || outfile;
  io.err(`wrote ${shown} (${browser ? 'browser' : 'Node'} ES module, ${formatBytes(r.bytes)}${opts.minify ? ' minified' : ''}, ${formatBytes(gz)} gzipped)`);
  return 0;
}

export const bundleCommand: LpcCommand = {
  name: 'bundle',
  register(program: Command, ctx: CommandContext) {
    program
      .command('bundle')
      .description('bundle a compiled net (or an app module that imports one) and lpc/runtime into one ES module file with esbuild')
      .argument('<path>', 'a net folder written by `lpc compile -o` (out/<Net>; out/ bundles each net in it), or an entry module (.ts/.js)')
      .option('--browser', 'for browsers: no Node imports (WebGPU from navigator.gpu)')
      .option('-o, --out <file>', 'the output file (default: <Net>.browser.js in the folder, or <entry>.browser.js beside the entry)')
      .option('--no-minify', 'keep the output readable')
      .action(async (path: string, opts: BundleCliOptions) => {
        ctx.exitCode = await bundle(path, opts, ctx.io);
      });
  },
};
