/**
 * The hardening table: rows, counters, and `hardeningCase`, the one way to add a case.
 *
 * A case is a Vitest test that tries one or more hostile inputs and counts, for its row, how many
 * it tried, how many were refused with a typed error, how many crashed, how many lost data and how
 * many leaked a secret. The counters travel in the test's `meta` to `table-reporter.ts`, which
 * sums them per row and prints one table. Every figure comes from what the run observed; nothing
 * is typed in by hand. See `README.md` in this folder.
 */
import { it } from 'vitest';

/** The rows of the table, in print order. */
export const HARDENING_ROWS = [
  'hostile provider',
  'malformed responses',
  'network faults',
  'disk faults',
  'concurrent instances',
  'secrets canary',
  'Electron checklist',
] as const;

/** One row of the table. */
export type HardeningRow = (typeof HARDENING_ROWS)[number];

/** The columns of the table. */
export interface Tally {
  /** Hostile inputs tried. */
  tried: number;
  /** Inputs the app turned down with a typed error (a stable snake_case `code`). */
  refused: number;
  /** Inputs that made it throw something untyped, hang, or die. */
  crashed: number;
  /** Acknowledged data (writes, tokens, files) that was gone or changed afterwards. */
  lost: number;
  /** Secrets found where they must not be (files, logs, events, errors, output). */
  leaked: number;
}

/** What a case attaches to its test's `meta`. */
export interface HardeningMeta {
  readonly row: HardeningRow;
  readonly tally: Tally;
}

declare module 'vitest' {
  interface TaskMeta {
    hardening?: HardeningMeta;
  }
}

/** Our typed errors carry a short snake_case code (`disk_full`, `invalid_grant`). */
const TYPED_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/** The stable code of a typed error, or `undefined` for anything else. */
export function typedCodeOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === 'string' && TYPED_CODE.test(code) && code !== 'internal_error' ? code : undefined;
}

/** How a case reports what it saw. Counters only go up. */
export interface CaseRecorder {
  /** `n` more hostile inputs were tried. */
  tried(n?: number): void;
  /** `n` inputs were refused with a typed error. */
  refused(n?: number): void;
  /** `n` inputs crashed the code under test. */
  crashed(n?: number): void;
  /** `n` acknowledged items were lost. */
  lost(n?: number): void;
  /** `n` secrets leaked. */
  leaked(n?: number): void;
  /**
   * Runs one input that must be refused: counts it as tried, then as refused when it throws a
   * typed error (and, when `codes` is given, one of them), as crashed when it throws anything
   * else. Returns the code, or `undefined` when it was not refused; the caller asserts on it.
   */
  mustRefuse(attempt: () => unknown, codes?: readonly string[]): Promise<string | undefined>;
  /** Counts a refusal that arrived as a value (an OAuth error result, an HTTP answer) with `code`. */
  refusedWith(code: string | undefined): void;
  /** The counters so far (the reporter reads the same object). */
  readonly tally: Readonly<Tally>;
}

function recorder(tally: Tally): CaseRecorder {
  const add = (key: keyof Tally) => (n = 1) => {
    if (!Number.isInteger(n) || n < 0) throw new Error(`hardening counters take whole numbers ≥ 0, got ${n}`);
    tally[key] += n;
  };
  return {
    tried: add('tried'),
    refused: add('refused'),
    crashed: add('crashed'),
    lost: add('lost'),
    leaked: add('leaked'),
    async mustRefuse(attempt, codes) {
      tally.tried += 1;
      try {
        await attempt();
      } catch (error) {
        const code = typedCodeOf(error);
        if (code === undefined) {
          tally.crashed += 1;
          return undefined;
        }
        if (codes && !codes.includes(code)) return undefined;
        tally.refused += 1;
        return code;
      }
      return undefined;
    },
    refusedWith(code) {
      if (code !== undefined && TYPED_CODE.test(code)) tally.refused += 1;
    },
    tally,
  };
}

/** Options of {@link hardeningCase}. */
export interface HardeningCaseOptions {
  /** Vitest time limit of this case; default: the config's. */
  readonly timeout?: number;
}

/**
 * Declares one case of the table: a Vitest test in `row` whose body counts what it tried and saw.
 *
 * The body must also assert what it expects (a must-refuse input refused, nothing lost), so a bad
 * outcome fails the run as well as showing in the table. The counters are attached before the
 * body runs, so a case that throws half-way still reports what it had counted.
 */
export function hardeningCase(row: HardeningRow, name: string, body: (t: CaseRecorder) => Promise<void> | void, options: HardeningCaseOptions = {}): void {
  it(
    name,
    async ({ task }) => {
      const tally: Tally = { tried: 0, refused: 0, crashed: 0, lost: 0, leaked: 0 };
      task.meta.hardening = { row, tally };
      await body(recorder(tally));
    },
    options.timeout,
  );
}
