/**
 * Turns a failed sign-in into a message a person can act on.
 */
import type { ErrorInfo } from '../../preload/contract';

/** A failure headline plus detail; `aadsts` carries an Entra error code when the provider sent one. */
export interface SignInFailureText {
  readonly title: string;
  readonly detail: string;
  readonly aadsts?: string;
}

/** Describes a sign-in failure: cancel, timeout, provider error (with its AADSTS code and text). */
export function describeSignInFailure(error: ErrorInfo): SignInFailureText {
  // Typed fields from main: the renderer never parses codes out of message text.
  const aadsts = error.provider?.aadsts !== undefined ? `AADSTS${error.provider.aadsts}` : undefined;
  switch (error.code) {
    case 'user_cancelled':
      return { title: 'Sign-in cancelled', detail: 'Nothing was saved. Start again when you are ready.' };
    case 'interaction_timeout':
      return { title: 'Sign-in timed out', detail: 'The sign-in page was open too long without finishing. Start again.' };
    case 'device_code_expired':
      return { title: 'The code expired', detail: error.message };
    case 'broker_error':
      return { title: 'Could not open the sign-in page', detail: error.message };
    default:
      return {
        title: aadsts ? `The provider refused the sign-in (${aadsts})` : 'The provider refused the sign-in',
        detail: error.message,
        ...(aadsts ? { aadsts } : {}),
      };
  }
}
