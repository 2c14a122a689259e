import { build } from 'esbuild';
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
