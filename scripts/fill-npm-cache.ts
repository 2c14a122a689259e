import path from 'node:path';
import { fillNpmCache } from './npmCache.js';

// Fills the npm cache with every dependency set that tests and the repository's fleet build, so
// that release builds in tests run --offline. `npm test` does the same in its global setup.
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
await fillNpmCache(repo, (line) => process.stdout.write(`${line}\n`));
process.stdout.write('npm cache holds every release set\n');
