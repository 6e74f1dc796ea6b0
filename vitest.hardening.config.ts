import { defineConfig } from 'vitest/config';
import { HardeningTableReporter } from './test/hardening/table-reporter';
import { SummaryReporter } from './test/support/summary-reporter';

// `npm run test:hardening`: the cases of test/hardening/*.hardening.ts, summed into one table
// (see test/hardening/README.md). Kept apart from the unit run so the table is printed once.
export default defineConfig({
  test: {
    include: ['test/hardening/**/*.hardening.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['./test/support/temp-dir-check.ts'],
    reporters: ['default', new SummaryReporter(), new HardeningTableReporter()],
  },
});
