// Writes grammar/syntax-diagrams.html: railroad diagrams of the .lpnet grammar, drawn by
// Chevrotain from the parser's own serialized grammar, so they cannot drift from the parser.
//
//   npm run build && node scripts/gen-syntax-diagrams.mjs
//   npx tsx scripts/gen-syntax-diagrams.mjs          (from the TypeScript sources, no build)
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createSyntaxDiagramsCode } from 'chevrotain';

const root = new URL('..', import.meta.url);
const compiled = new URL('dist/parser/parser.js', root);
const source = new URL('src/parser/parser.ts', root);

async function loadParserModule() {
  if (existsSync(fileURLToPath(compiled))) return import(compiled.href);
  // Only works when this script runs under tsx (which can import TypeScript).
  try {
    return await import(pathToFileURL(fileURLToPath(source)).href);
  } catch (cause) {
    console.error('gen-syntax-diagrams: dist/parser/parser.js is missing and the TypeScript source cannot be loaded.');
    console.error('Run `npm run build` first, or run this script with `npx tsx`.');
    throw cause;
  }
}

const { lpnetParser } = await loadParserModule();
const grammar = lpnetParser().getSerializedGastProductions();
const html = createSyntaxDiagramsCode(grammar);
const out = new URL('grammar/syntax-diagrams.html', root);
const tmp = new URL('grammar/syntax-diagrams.html.tmp', root);
writeFileSync(tmp, html);
renameSync(tmp, out);
console.log(`wrote ${fileURLToPath(out)} (${grammar.length} rules)`);
