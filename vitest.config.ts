import { defineConfig } from 'vitest/config';

// Sized for a busy 2-core machine: the end-to-end tests take up to ~20 s when it is idle and
// two or three times that beside other load. Tests wait for events with their own deadlines;
// these limits only end a test that hangs.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/support/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    reporters: ['default', './test/support/summaryReporter.ts'],
  },
});
