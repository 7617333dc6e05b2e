#!/usr/bin/env node
// The `lpc` command. Runs the compiled CLI from dist/ (built by `npm install` via the `prepare`
// script, or `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('lpc is not built yet: run `npm run build` (or `npm install`) in the lpc folder first.\n');
  process.exit(1);
}
await import(entry.href);
