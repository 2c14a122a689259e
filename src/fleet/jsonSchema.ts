import { z } from 'zod';
import { fleetSchema } from './schema.js';

/** The JSON Schema editors use for completion in fleet.yaml (generated; see `npm run schema`). */
export function fleetJsonSchema(): unknown {
  return {
    ...(z.toJSONSchema(fleetSchema, { io: 'input', unrepresentable: 'any' }) as object),
    title: 'botctl fleet.yaml',
  };
}
