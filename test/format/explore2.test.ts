import fc from 'fast-check';
import { it } from 'vitest';
import { parseProgram } from '../../src/parser/parse.js';
it('ratio', async () => {
  const mod = await import('./explore-gen.js');
  let ok = 0, bad = 0;
  const samples = fc.sample(mod.program, 2000);
  const msgs = new Map<string, number>();
  for (const s of samples) {
    const r = parseProgram(s, 'x');
    if (r.diagnostics.some((d) => d.severity === 'error')) { bad++; const m = r.diagnostics[0].message.slice(0, 60); msgs.set(m, (msgs.get(m) ?? 0) + 1); } else ok++;
  }
  console.log({ ok, bad }, [...msgs.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8));
});
