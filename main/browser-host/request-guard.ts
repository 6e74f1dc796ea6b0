/**
 * The checks every request to the browser-mode host passes before anything else runs.
 *
 * - `Host` must name the loopback address and our port: a page whose DNS name was rebound to
 *   127.0.0.1 sends its own name and is refused (DNS rebinding).
 * - `Origin`, when present, must be our origin; `Sec-Fetch-Site`, when present, must not be
 *   `cross-site` / `same-site`.
 * - API calls carry `Authorization: Bearer <secret>`, compared in constant time. The secret is a
 *   header, not a cookie, so the browser never attaches it to a request another page starts.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Why a request was refused, or `ok`. */
export type GuardVerdict = { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

/** The origins this host answers to (both spellings of loopback). */
export function allowedOrigins(port: number): readonly string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** Checks `Host`, `Origin` and `Sec-Fetch-Site`. */
export function checkRequestSource(headers: IncomingHttpHeaders, port: number): GuardVerdict {
  const host = headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return { ok: false, status: 403, reason: 'Unexpected Host header.' };
  const origin = headers.origin;
  if (origin !== undefined && !allowedOrigins(port).includes(origin)) return { ok: false, status: 403, reason: 'Cross-origin requests are refused.' };
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return { ok: false, status: 403, reason: 'Cross-site requests are refused.' };
  return { ok: true };
}

/** Checks `Authorization: Bearer <secret>` in constant time. */
export function checkSecret(headers: IncomingHttpHeaders, secret: string): GuardVerdict {
  const header = headers.authorization ?? '';
  const match = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header);
  const given = Buffer.from(match?.[1] ?? '');
  const expected = Buffer.from(secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 401, reason: 'Missing or wrong session key.' };
  return { ok: true };
}
