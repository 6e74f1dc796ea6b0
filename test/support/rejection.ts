/**
 * The error a promise rejects with, typed, for tests that assert on its fields (`code`, `message`,
 * `cause`). Another kind of error is rethrown, so the test fails on the real one; a promise that
 * resolves fails the test.
 */
export async function rejection<E extends Error>(promise: Promise<unknown>, kind: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof kind) return error;
    throw error;
  }
  throw new Error(`expected a ${kind.name}`);
}
