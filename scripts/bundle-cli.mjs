// Bundles the command line (dist/cli/main.js, the --jobs child and the chart child) over tsc's output, in place.
// A command used to load about 160 files, the yaml parser's 72 among them, before doing
// anything; resolving and compiling them one by one was most of `get svc`'s start-up. Bundled,
// each command loads its own chunk and the chunks it shares. The chart libraries stay outside
// (loaded only when a run draws charts), as does the font package read from its own folder.
// The library (dist/index.js and its .d.ts) is tsc's output, untouched.

import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const { metafile } = await build({
  entryPoints: ['dist/cli/main.js', 'dist/cli/run-child.js', 'dist/cli/chart-child.js'],
  outdir: 'dist/cli',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['vega', 'vega-lite', '@resvg/resvg-js', 'dejavu-fonts-ttf'],
  // Bundled CommonJS packages (commander, yaml, seedrandom) call require() for node: built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // Chunks sit beside main.js: modules find package.json as ../../package.json from there.
  chunkNames: '[name]-[hash]',
  // Whitespace only: a smaller file parses faster, and names stay as written for stack traces.
  minifyWhitespace: true,
  logLevel: 'warning',
  metafile: true,
});
// Which modules each output holds: tests map the files a command loads back to the modules in them.
writeFileSync('dist/bundle-meta.json', JSON.stringify(metafile));
