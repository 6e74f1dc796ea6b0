import { defineConfig } from 'vitest/config';
import { SummaryReporter } from './test/support/summary-reporter';

// Integration tests start a real identity provider and a real Chromium, so they get generous
// time limits; speed is measured in `npm run bench`, never here.
export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', new SummaryReporter()],
  },
});
