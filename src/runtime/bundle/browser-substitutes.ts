/**
 * The runtime's Node-only modules and their browser stand-ins, as paths under the source root
 * (src/ when run from TypeScript, dist/ when installed), without extension. `lpc bundle --browser`
 * swaps them while bundling (src/cli/bundle/esbuild-plugins.ts), and package.json's `browser`
 * field lists the same pairs for other bundlers (vite, webpack); a test keeps the two in step.
 *
 * Each is reached from the browser-safe entry (index.ts) only through code that runs in Node:
 * device.ts imports node-gpu dynamically when navigator.gpu is absent, the weights loader imports
 * node-files for a path, and the weights file reader/writer import the file helpers for their
 * by-path functions, which the bundle never calls.
 */
export const BROWSER_SUBSTITUTES: readonly { module: string; browser: string }[] = [
  { module: 'runtime/webgpu/node-gpu', browser: 'runtime/bundle/browser/node-gpu' },
  { module: 'runtime/bundle/node-files', browser: 'runtime/bundle/browser/node-files' },
  { module: 'runtime/io/read-file', browser: 'runtime/bundle/browser/read-file' },
  { module: 'runtime/io/atomic-write', browser: 'runtime/bundle/browser/atomic-write' },
];
