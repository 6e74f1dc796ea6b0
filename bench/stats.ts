/**
 * Summary statistics of per-call timings.
 *
 * Samples are nanoseconds from `process.hrtime.bigint()`; summaries are in microseconds, which is
 * the scale a cache hit lives on.
 */

/** What a timed loop reports: per-call figures in microseconds. */
export interface TimingSummary {
  readonly iterations: number;
  readonly medianUs: number;
  readonly p95Us: number;
  readonly meanUs: number;
  readonly minUs: number;
  readonly maxUs: number;
}

/**
 * The value at quantile `q` (0..1) of ascending `sorted`, by the nearest-rank method.
 *
 * Nearest rank (not interpolation) so the figure is always a time some call really took.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no samples');
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * Median, p95, mean, min and max of nanosecond samples, in microseconds.
 *
 * The median is the headline figure: it ignores the occasional garbage-collection pause that
 * p95 and the mean pick up.
 */
export function summarize(samplesNs: readonly number[]): TimingSummary {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  const toUs = (ns: number): number => ns / 1000;
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    iterations: sorted.length,
    medianUs: toUs(quantile(sorted, 0.5)),
    p95Us: toUs(quantile(sorted, 0.95)),
    meanUs: toUs(total / sorted.length),
    minUs: toUs(sorted[0] as number),
    maxUs: toUs(sorted[sorted.length - 1] as number),
  };
}

/** `numerator / denominator`, or `null` when the denominator is zero (no meaningful ratio). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}
