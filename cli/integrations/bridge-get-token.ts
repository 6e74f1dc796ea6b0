/**
 * The integrations' {@link GetToken} over the running app's local channel: each call is one `token`
 * request with the integration's name in the caller report, so the app's consent prompt and its
 * Activity view name the tool (`kubectl`, `git`, `azure-identity`).
 */
import { describeCaller } from '../caller';
import { connectToApp, NotRunningError, request, type WaitNotice } from '../client';
import type { GetToken, TokenGrant } from './get-token';

/** A refusal from the app (or no app), with the app's error code. Never carries a token. */
export class BridgeRefusal extends Error {
  override readonly name = 'BridgeRefusal';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The `token` answer's shape (main/bridge/protocol.ts `TokenValue`). */
interface TokenAnswer {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresOn: number;
  readonly scopes: readonly string[];
  readonly account: { readonly id: string; readonly username: string; readonly tenant?: string };
}

/** Options of {@link bridgeGetToken}. */
export interface BridgeGetTokenOptions {
  /** Gets the app's "waiting for approval / sign-in" notices (the command prints them on stderr). */
  readonly onNotice: (notice: WaitNotice) => void;
  /** The program to report instead of the calling one (exec reports the program it runs). */
  readonly program?: string;
}

/**
 * A GetToken that asks the running app.
 *
 * Rejects with {@link BridgeRefusal}: the app's code (`consent_denied`, `needs_sign_in`, …), or
 * `app_not_running` when there is no app to ask.
 */
export function bridgeGetToken(options: BridgeGetTokenOptions): GetToken {
  return async (tokenRequest): Promise<TokenGrant> => {
    const params = {
      ...(tokenRequest.account !== undefined ? { account: tokenRequest.account } : {}),
      ...(tokenRequest.scopes && tokenRequest.scopes.length > 0 ? { scopes: tokenRequest.scopes } : {}),
      ...(tokenRequest.resource !== undefined ? { resource: tokenRequest.resource } : {}),
      ...(tokenRequest.minValidSeconds !== undefined ? { minValidSeconds: tokenRequest.minValidSeconds } : {}),
    };
    let answer;
    try {
      // The caller report is read while the connection is being set up, not after.
      const connecting = connectToApp();
      const caller = describeCaller(tokenRequest.integration, options.program);
      answer = await request(await connecting, 'token', params, caller, options.onNotice);
    } catch (error) {
      if (error instanceof NotRunningError) throw new BridgeRefusal('app_not_running', error.message);
      throw error;
    }
    if (!answer.ok) throw new BridgeRefusal(answer.error.code, answer.error.message);
    const value = answer.value as TokenAnswer;
    return {
      accessToken: value.accessToken,
      tokenType: value.tokenType,
      expiresOn: value.expiresOn,
      scopes: value.scopes,
      account: { id: value.account.id, username: value.account.username, ...(value.account.tenant ? { tenant: value.account.tenant } : {}) },
    };
  };
}
