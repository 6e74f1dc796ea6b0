/**
 * Turning an HTTP response into a JSON object, with typed errors for everything else.
 */
import { TransportError } from './errors';
import type { HttpResponse } from './http-types';

/**
 * Parse a response body that must be a JSON object.
 *
 * OAuth error bodies (4xx with JSON) are returned as values, as MSAL does; only a status >= 500,
 * an empty non-2xx body, an HTML page or anything that is not a JSON object throws. `what` names
 * the endpoint for the message ("token endpoint", "OpenID discovery document"). Messages never
 * contain the body, because it may hold a token.
 *
 * @throws TransportError `http_error` (with `status`) or `malformed_response`.
 */
export function parseJsonResponse(response: HttpResponse, what: string): Record<string, unknown> {
  const { status } = response;
  if (status >= 500) {
    throw new TransportError(
      'http_error',
      `The ${what} failed with HTTP ${status}. The service may be unavailable; try again later.`,
      { status },
    );
  }
  const body = response.text.trim();
  if (body === '' && (status < 200 || status >= 300)) {
    throw new TransportError('http_error', `The ${what} returned HTTP ${status} with an empty body.`, { status });
  }
  const contentType = (response.headers['content-type'] ?? '').toLowerCase();
  if (body.startsWith('<') || contentType.includes('text/html')) {
    // Captive portals, proxies and misconfigured hosts answer with a page instead of JSON.
    throw new TransportError(
      'malformed_response',
      `The ${what} returned an HTML page (HTTP ${status}) instead of JSON. ` +
        'Check the URL, and whether a proxy or captive portal is in the way.',
      { status },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    // The parser's message may quote part of the body, so it stays out of ours (it is in `cause` only
    // for local debugging; callers must not log causes of transport errors verbatim).
    throw new TransportError(
      'malformed_response',
      `The ${what} returned malformed JSON (HTTP ${status}). Check the URL and try again.`,
      { status, cause: describeParseFailure(cause) },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TransportError(
      'malformed_response',
      `The ${what} returned malformed JSON (HTTP ${status}): expected an object.`,
      { status },
    );
  }
  return parsed as Record<string, unknown>;
}

// JSON.parse errors echo the offending text; keep only the kind of failure.
function describeParseFailure(cause: unknown): Error {
  return new Error(cause instanceof SyntaxError ? 'JSON syntax error' : 'JSON parse failure');
}
