import { defineConfig } from 'vitest/config';
import { SummaryReporter } from './test/support/summary-reporter';

// Integration tests start a real identity provider and a real Chromium, so they get generous
// time limits; speed is measured in `npm run bench`, never here. The hardening table has a
// config of its own (`vitest.hardening.config.ts`).
export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A temp folder per run; the run fails when a test leaves a `tessera-*` folder in it.
    globalSetup: ['./test/support/temp-dir-check.ts'],
    reporters: ['default', new SummaryReporter()],
  },
});
