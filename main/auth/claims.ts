/**
 * The `claims` request parameter: a claims challenge merged with client capabilities.
 */
import { InvalidArgumentError } from './errors';

/**
 * Serialize JSON the way Python's `json.dumps` does by default.
 *
 * Separators are `", "` and `": "`, and non-ASCII is escaped as `\uXXXX`. MSAL Python sends
 * this exact text, so we do too: servers and caches compare it byte for byte.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return asciiJsonString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${asciiJsonString(k)}: ${pythonJsonDumps(v)}`);
    return `{${parts.join(', ')}}`;
  }
  throw new InvalidArgumentError(`Cannot serialize a ${typeof value} as JSON.`);
}

function asciiJsonString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Merge a claims challenge with client capabilities into the `claims` parameter.
 *
 * Without capabilities the challenge passes through unchanged (possibly undefined). With them,
 * `{"access_token": {"xms_cc": {"values": [...]}}}` is merged into the challenge, as MSAL Python's
 * `_merge_claims_challenge_and_capabilities` does.
 */
export function mergeClaimsChallengeAndCapabilities(
  capabilities: readonly string[] | undefined,
  claimsChallenge: string | undefined,
): string | undefined {
  if (!capabilities || capabilities.length === 0) return claimsChallenge || undefined;
  let claims: Record<string, unknown> = {};
  if (claimsChallenge) {
    try {
      const parsed: unknown = JSON.parse(claimsChallenge);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      claims = parsed as Record<string, unknown>;
    } catch (cause) {
      throw new InvalidArgumentError('The claims challenge must be a JSON object.', 'invalid_argument', { cause });
    }
  }
  const accessToken = (claims['access_token'] ?? {}) as Record<string, unknown>;
  claims['access_token'] = { ...accessToken, xms_cc: { values: [...capabilities] } };
  return pythonJsonDumps(claims);
}
