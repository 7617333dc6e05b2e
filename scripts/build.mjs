// Builds dist/ from src/ with tsc (type errors fail the build). Run by `npm install` (prepare)
// and `npm run build`.
import { spawnSync } from 'node:child_process';
import { rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  // Installed as a dependency without dev dependencies: dist/ ships prebuilt.
  if (existsSync(new URL('../dist/cli/bin.js', import.meta.url))) process.exit(0);
  console.error('build: typescript is not installed and dist/ is missing');
  process.exit(1);
}
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
process.exit(r.status ?? 1);
