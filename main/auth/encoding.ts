/**
 * Decoding of the base64url-JSON values OAuth providers send: JWT payloads and Entra's `client_info`.
 *
 * One implementation for the whole app (the cache, the client, and the services through
 * main/auth/index.ts). Decoding follows MSAL Python's lenient `decode_part`: either base64
 * alphabet, padding optional; the text must be strict UTF-8 and JSON as Python reads it (so a
 * cache written by MSAL Python decodes the same here). Nothing here verifies a signature.
 */
import { parsePythonJson } from './json-python';
import { hasOwn, isRecord, pyStr } from './python-compat';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON value encoded in one base64 or base64url part.
 *
 * @throws TypeError for invalid UTF-8; `PythonJsonError` for text that is not JSON.
 */
export function decodeBase64Json(part: string): unknown {
  // Buffer's base64 decoder accepts both alphabets and missing padding.
  const text = STRICT_UTF8.decode(Buffer.from(part, 'base64'));
  return parsePythonJson(text);
}

/**
 * The payload of a JWT, decoded without any verification; `{}` when it cannot be read.
 *
 * For tokens that were verified when they arrived (read back from the cache), or to look at a
 * token before verifying it. Never trust what it returns for a token that was not verified.
 */
export function decodeJwtPayload(token: unknown): Record<string, unknown> {
  if (typeof token !== 'string') return {};
  const payload = token.split('.')[1];
  if (payload === undefined) return {};
  try {
    const claims = decodeBase64Json(payload);
    return isRecord(claims) ? claims : {};
  } catch {
    return {};
  }
}

/** Entra's `client_info`: the user's object id (`uid`) and home tenant id (`utid`). */
export interface ClientInfo {
  readonly uid: string;
  readonly utid: string;
}

/**
 * `uid` and `utid` of a `client_info` value, as Python's `str()` spells them; undefined when the
 * value is absent, does not decode, or lacks either field.
 *
 * A malformed `client_info` is treated as absent rather than failing a sign-in (as MSAL does).
 */
export function parseClientInfo(clientInfo: unknown): ClientInfo | undefined {
  if (typeof clientInfo !== 'string' || clientInfo === '') return undefined;
  let decoded: unknown;
  try {
    decoded = decodeBase64Json(clientInfo);
  } catch {
    return undefined;
  }
  if (!isRecord(decoded) || !hasOwn(decoded, 'uid') || !hasOwn(decoded, 'utid')) return undefined;
  const uid = pyStr(decoded['uid']);
  const utid = pyStr(decoded['utid']);
  return uid === undefined || utid === undefined ? undefined : { uid, utid };
}

/** MSAL's home account id `"{uid}.{utid}"` from a `client_info`; undefined when it has none. */
export function homeAccountIdFromClientInfo(clientInfo: unknown): string | undefined {
  const info = parseClientInfo(clientInfo);
  return info ? `${info.uid}.${info.utid}` : undefined;
}
