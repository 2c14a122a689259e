import { writeFileSync } from 'node:fs';
import { fleetJsonSchema } from '../src/fleet/jsonSchema.js';

// Regenerates fleet.schema.json; a test fails when the committed file lags the zod schema.
writeFileSync(new URL('../../fleet.schema.json', import.meta.url), `${JSON.stringify(fleetJsonSchema(), null, 2)}\n`);
