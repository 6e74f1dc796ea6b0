/**
 * Prints the hardening table after `npm run test:hardening`: one line per row, the counters that
 * the cases recorded (see `harness.ts`) summed, and whether the target was met.
 *
 * Also writes the same figures to `test-results/hardening.json` for CI and the README.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { HARDENING_ROWS, type HardeningRow, type Tally } from './harness';

/** Per-row sums, plus how many cases fed them and how many of those failed. */
export interface RowFigures extends Tally {
  cases: number;
  failedCases: number;
}

/** Sums the counters of every hardening case of a run, by row. */
export function sumByRow(testModules: ReadonlyArray<TestModule>): Map<HardeningRow, RowFigures> {
  const rows = new Map<HardeningRow, RowFigures>(
    HARDENING_ROWS.map((row) => [row, { cases: 0, failedCases: 0, tried: 0, refused: 0, crashed: 0, lost: 0, leaked: 0 }]),
  );
  for (const module of testModules) {
    for (const test of module.children.allTests()) {
      const meta = test.meta().hardening;
      if (!meta) continue;
      const figures = rows.get(meta.row);
      if (!figures) continue;
      figures.cases += 1;
      if (test.result().state === 'failed') figures.failedCases += 1;
      figures.tried += meta.tally.tried;
      figures.refused += meta.tally.refused;
      figures.crashed += meta.tally.crashed;
      figures.lost += meta.tally.lost;
      figures.leaked += meta.tally.leaked;
    }
  }
  return rows;
}

const COLUMNS = ['cases', 'tried', 'refused (typed)', 'crashed', 'lost', 'leaked'] as const;

/** The table as text lines. */
export function formatTable(rows: Map<HardeningRow, RowFigures>): string[] {
  const nameWidth = Math.max(...HARDENING_ROWS.map((row) => row.length), 'row'.length);
  const cell = (value: string, width: number): string => value.padStart(width);
  const widths = COLUMNS.map((column) => Math.max(column.length, 7));
  const header = ['row'.padEnd(nameWidth), ...COLUMNS.map((column, i) => cell(column, widths[i] ?? 7))].join(' | ');
  const lines = [header, header.replace(/[^|]/g, '-')];
  for (const [row, f] of rows) {
    const values = f.cases === 0 ? ['0', '—', '—', '—', '—', '—'] : [f.cases, f.tried, f.refused, f.crashed, f.lost, f.leaked].map(String);
    lines.push([row.padEnd(nameWidth), ...values.map((value, i) => cell(value, widths[i] ?? 7))].join(' | '));
  }
  return lines;
}

/** A Vitest reporter that prints the hardening table and fails the run when the target is missed. */
export class HardeningTableReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const rows = sumByRow(testModules);
    const total = [...rows.values()].reduce(
      (sum, f) => ({ crashed: sum.crashed + f.crashed, lost: sum.lost + f.lost, leaked: sum.leaked + f.leaked, failed: sum.failed + f.failedCases }),
      { crashed: 0, lost: 0, leaked: 0, failed: 0 },
    );
    const brokenFiles = testModules.filter((module) => module.state() === 'failed' && [...module.children.allTests()].length === 0).length;
    const met = total.crashed === 0 && total.lost === 0 && total.leaked === 0 && total.failed === 0 && brokenFiles === 0 && unhandledErrors.length === 0;
    const lines = [
      '',
      `Hardening table (${new Date().toISOString()}; every figure counted by this run)`,
      ...formatTable(rows),
      `Target (every must-refuse case refused, 0 crashed, 0 lost, 0 leaked): ${met ? 'met' : 'NOT met'}` +
        (total.failed > 0 ? ` — ${total.failed} case(s) failed` : '') +
        (brokenFiles > 0 ? ` — ${brokenFiles} file(s) did not load` : ''),
    ];
    console.log(lines.join('\n'));
    try {
      mkdirSync('test-results', { recursive: true });
      writeFileSync(join('test-results', 'hardening.json'), `${JSON.stringify({ at: new Date().toISOString(), met, rows: Object.fromEntries(rows) }, null, 2)}\n`);
    } catch {
      // The printed table is the result; the JSON copy is a convenience.
    }
    if (!met) process.exitCode = 1;
  }
}
