/**
 * The bridge's typed error: a stable code from the app's error codes and a message that says what
 * to do next. Never carries a token.
 */
import type { BridgeErrorCode } from './protocol';

/** A refusal of the token channel (consent, account choice, request shape). */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  readonly code: BridgeErrorCode | 'not_found' | 'needs_sign_in' | 'invalid_argument' | 'unsupported';

  constructor(code: BridgeError['code'], message: string) {
    super(message);
    this.code = code;
  }
}
