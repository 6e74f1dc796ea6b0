/**
 * Timed loops: per-call samples with warm-up, bounded by a call count and a time budget.
 *
 * Libraries are measured in interleaved rounds (A B, B A, A B, …) so that drift over the run
 * (JIT tiers, CPU frequency, a busy neighbour) lands on both sides alike.
 */

/** One thing to time: `call` is timed; `prepare` (before) and `check` (after) run outside the timing. */
export interface TimedTask<T> {
  readonly name: string;
  prepare?(): void;
  call(): Promise<T>;
  check(result: T): void;
}

/** Limits of one interleaved measurement; times in milliseconds. */
export interface LoopLimits {
  /** Warm-up per task: this many calls or `warmupMs`, whichever ends first (at least 10 calls). */
  readonly warmupCalls: number;
  readonly warmupMs: number;
  /** Timed calls per task across all rounds: at most `maxCalls`, at least `minCalls`. */
  readonly maxCalls: number;
  readonly minCalls: number;
  /** Timed wall time per task across all rounds (a soft limit once `minCalls` is reached). */
  readonly budgetMs: number;
  readonly rounds: number;
}

const MIN_WARMUP_CALLS = 10;

function nowNs(): bigint {
  return process.hrtime.bigint();
}

/** Runs `task` until `maxCalls` or the time budget is used, pushing each call's nanoseconds. */
async function runBlock<T>(task: TimedTask<T>, samples: number[] | undefined, minCalls: number, maxCalls: number, budgetMs: number): Promise<void> {
  const deadline = nowNs() + BigInt(Math.round(budgetMs * 1e6));
  for (let i = 0; i < maxCalls; i++) {
    if (i >= minCalls && nowNs() > deadline) break;
    task.prepare?.();
    const start = nowNs();
    const result = await task.call();
    const elapsed = Number(nowNs() - start);
    task.check(result);
    samples?.push(elapsed);
  }
}

/**
 * Warms every task up, then times them in alternating order; returns nanosecond samples by name.
 *
 * A `check` that throws ends the measurement with that error.
 */
export async function timeInterleaved<T>(tasks: readonly TimedTask<T>[], limits: LoopLimits): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(tasks.map((task) => [task.name, []]));
  for (const task of tasks) await runBlock(task, undefined, MIN_WARMUP_CALLS, limits.warmupCalls, limits.warmupMs);
  const perRound = (value: number): number => Math.max(1, Math.ceil(value / limits.rounds));
  for (let round = 0; round < limits.rounds; round++) {
    const order = round % 2 === 0 ? tasks : [...tasks].reverse();
    for (const task of order) {
      await runBlock(task, samples.get(task.name), perRound(limits.minCalls), perRound(limits.maxCalls), limits.budgetMs / limits.rounds);
    }
  }
  return samples;
}

/** Times `count` calls of a synchronous `fn` (after one untimed call); returns nanosecond samples. */
export function timeSync<T>(fn: () => T, count: number, check: (result: T) => void = () => undefined): number[] {
  check(fn());
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = nowNs();
    const result = fn();
    samples.push(Number(nowNs() - start));
    check(result);
  }
  return samples;
}
