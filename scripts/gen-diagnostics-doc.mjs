// Writes docs/diagnostics.md from the code tables (run: npm run gen:diagnostics).
import { writeFileSync, renameSync } from 'node:fs';
const { diagnosticsMarkdown } = await import('../dist/cli/diagnostic-codes.js');
const target = new URL('../docs/diagnostics.md', import.meta.url);
const tmp = new URL('../docs/diagnostics.md.tmp', import.meta.url);
writeFileSync(tmp, diagnosticsMarkdown());
renameSync(tmp, target);
console.log('wrote docs/diagnostics.md');
