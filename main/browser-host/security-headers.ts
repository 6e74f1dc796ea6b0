/**
 * Response headers of the browser-mode host.
 *
 * The page's lock-down (CSP, `nosniff`, framing, referrer, opener, permissions) is the one the
 * Electron window gets, from `../windows/renderer-serving.ts`; what is added here belongs to
 * browser mode's API alone.
 */
import { SECURITY_HEADERS } from '../windows/renderer-serving';

/**
 * Headers on API answers, refusals and event streams: the shared set, and never stored by any
 * cache, since API answers hold account data and are authorized by the per-launch secret. No
 * `Access-Control-*` header is ever sent: no CORS.
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};
