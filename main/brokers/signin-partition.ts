/**
 * Names of the session partitions used by the embedded sign-in window.
 */
import { createHash, randomUUID } from 'node:crypto';

/**
 * The session partition for signing in to `accountKey`, or a fresh in-memory one for a new account.
 *
 * Each account gets its own persistent partition (`persist:signin-<hash>`), never the app UI's
 * session, so cookies of one account never leak into another's sign-in. The account key is hashed
 * because partition names become directory names. A new account (no key yet) signs in through an
 * in-memory partition, which disappears with the window's session.
 */
export function signInPartitionFor(accountKey?: string): string {
  if (accountKey === undefined || accountKey === '') return `signin-new-${randomUUID()}`;
  const digest = createHash('sha256').update(accountKey, 'utf8').digest('hex').slice(0, 32);
  return `persist:signin-${digest}`;
}
