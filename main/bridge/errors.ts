/**
 * The bridge's typed error: an {@link AppError} with one of the contract's codes and a message that
 * says what to do next. Never carries a token.
 */
import type { ErrorCode } from '../../preload/contract';
import { AppError } from '../errors';

/** A refusal of the token channel (consent, account choice, request shape). */
export class BridgeError extends AppError {
  override readonly name: string = 'BridgeError';

  constructor(code: ErrorCode, message: string) {
    super(code, message);
  }
}
