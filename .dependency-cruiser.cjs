// The one-way order of the compiler's folders (DESIGN.md): each layer may import only from the
// layers before it. Checked in CI by dependency-cruiser (`npm run lint:deps`).
//
//   diag, numeric  ->  parser  ->  format  ->  ir  ->  ops  ->  lower  ->  passes  ->  import  ->  codegen  ->  runtime  ->  cli
//
// `ops` holds each op's CPU reference (plain loops over numeric/tensor) so the registry stays
// one file per op; `import` (Caffe) is a second front end that builds IR and writes .lpnet.
const layers = ['diag', 'numeric', 'parser', 'format', 'ir', 'ops', 'lower', 'passes', 'import', 'codegen', 'runtime', 'cli'];

const forbidden = [];
// One exception, so that an op stays one file with its WGSL generator (DESIGN.md): the WGSL
// emission library src/codegen/wgsl/lib/ is a leaf (it imports only diag and numeric), and ops
// may use it.
const WGSL_LIB = 'codegen/wgsl/lib/';
layers.forEach((layer, i) => {
  const later = layers.slice(i + 1);
  if (later.length === 0) return;
  const laterPattern = later.map((l) => (l === 'codegen' && layer === 'ops' ? `codegen/(?!wgsl/lib/)` : `${l}/`)).join('|');
  forbidden.push({
    name: `${layer}-not-upward`,
    comment: `src/${layer} may not import from later pipeline stages (${later.join(', ')})`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: `^src/(${laterPattern})` },
  });
});
forbidden.push({
  name: 'wgsl-lib-is-a-leaf',
  comment: 'src/codegen/wgsl/lib/ may import only diag, numeric and itself (ops depend on it)',
  severity: 'error',
  from: { path: `^src/${WGSL_LIB}` },
  to: { path: '^src/', pathNot: `^src/(diag/|numeric/|${WGSL_LIB})` },
});
// diag and numeric are leaves side by side: neither imports the other except numeric -> nothing.
forbidden.push({
  name: 'diag-is-a-leaf',
  severity: 'error',
  from: { path: '^src/diag/' },
  to: { path: '^src/(?!diag/)' },
});
forbidden.push({
  name: 'no-circular',
  severity: 'error',
  from: {},
  to: { circular: true },
});
forbidden.push({
  name: 'src-not-to-test',
  severity: 'error',
  from: { path: '^src/' },
  to: { path: '^(test|bench)/' },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
