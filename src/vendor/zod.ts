// zod for the CLI's hot path. The build replaces the compiled re-export with a one-file bundle
// (scripts/vendor.ts): loading zod's ~70 modules one by one costs ~45 ms, the bundle ~20 ms,
// and `botctl status` validates every agent answer with it.
export * from 'zod';
