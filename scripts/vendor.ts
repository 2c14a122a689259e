import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Replaces dist/src/vendor/<name>.js (a re-export compiled by tsc) with a bundle of the package.
const targets: Record<string, string> = { zod: 'zod' };
for (const [name, pkg] of Object.entries(targets)) {
  await build({
    stdin: { contents: `export * from '${pkg}';`, resolveDir: fileURLToPath(new URL('../..', import.meta.url)), loader: 'js' },
    outfile: fileURLToPath(new URL(`../src/vendor/${name}.js`, import.meta.url)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
}

// The runtime's config check: zod/mini inlined and tree-shaken into the compiled file itself, so
// a bot process loads a few kB of validation instead of all of zod (~4 MB of RSS per bot).
const config = fileURLToPath(new URL('../src/runtime/config.js', import.meta.url));
await build({
  entryPoints: [config],
  outfile: config,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'error',
});
rmSync(`${config}.map`, { force: true });
