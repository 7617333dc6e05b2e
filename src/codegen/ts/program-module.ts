import type { NetBundle } from './bundle-format.js';

/**
 * The data module beside a net's class (`program.js` and `program.d.ts`): the NetBundle as one
 * exported constant. It is JSON in a module, written as such (no formatting pass: the shaders'
 * text would only be escaped differently), so any bundler inlines it and Node imports it as is.
 */
export function programModule(bundle: NetBundle, lpcVersion: string): { js: string; dts: string } {
  const header = `// The compiled net ${bundle.net} (program, shaders, graph) for lpc/runtime, written by lpc ${lpcVersion}. Generated: do not edit.\n`;
  return {
    js: `${header}export const bundle = ${JSON.stringify(bundle)};\n`,
    dts: `${header}import type { NetBundle } from 'lpc/runtime';\n\nexport declare const bundle: NetBundle;\n`,
  };
}
