/**
 * Prints one plain closing line, `Tests: N passed, N failed, N skipped`, after Vitest's own report.
 *
 * CI reads that line; Vitest's summary is formatted for people.
 */
import type { Reporter, TestModule } from 'vitest/node';

/** A Vitest reporter that only prints the closing count line. */
export class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load has no tests; count it so the line cannot read as green.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
    }
    failed += unhandledErrors.length;
    console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
