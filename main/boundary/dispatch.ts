/**
 * The one entry point for calls from a renderer: sender check, method lookup, argument
 * validation, and error mapping to a {@link Result}.
 *
 * Plain Node (no Electron), so it is unit-tested directly; `ipc-main-adapter.ts` feeds it
 * `ipcMain.handle` calls and `main/browser-host/server.ts` its HTTP API calls.
 */
import type { ApiMethods, ErrorCode, Result } from '../../preload/contract';
import { toErrorInfo } from '../errors';
import { isApiMethodName, parseArguments } from './schema';

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  /** Whether a call from a frame at `url` may be served (the app's own origin only). */
  isTrustedSender(url: string): boolean;
  /**
   * Told about errors that become `internal_error`, so main can log them.
   *
   * Receives the raw error: log its name and code, never its message (it may hold a token).
   */
  onUnexpectedError?(method: string, error: unknown): void;
}

/** Serves calls of the contract for one {@link ApiMethods} implementation. */
export interface Dispatcher {
  /**
   * Runs `method` with `args` for a frame at `senderUrl`; never rejects.
   *
   * Missing or untrusted sender → `forbidden_sender`; unknown method → `unknown_method`; bad
   * arguments → `invalid_argument`; a thrown error → its `{ code, message }` (redacted), or
   * `internal_error` with a generic message when it is not one of ours.
   */
  invoke(method: string, args: readonly unknown[], senderUrl: string | undefined): Promise<Result<unknown>>;
}

/** Creates a {@link Dispatcher} over `api`. */
export function createDispatcher(api: ApiMethods, options: DispatcherOptions): Dispatcher {
  return {
    async invoke(method, args, senderUrl) {
      // The sender is checked first: an untrusted frame learns nothing, not even which methods exist.
      if (typeof senderUrl !== 'string' || senderUrl === '' || !isTrusted(options, senderUrl)) {
        return failure('forbidden_sender', 'This request did not come from the Tessera window and was refused.');
      }
      if (!isApiMethodName(method)) {
        return failure('unknown_method', 'Tessera does not know this operation. Update or restart the app.');
      }
      let validated: unknown[];
      try {
        validated = parseArguments(method, args);
      } catch (error) {
        return { ok: false, error: toErrorInfo(error) };
      }
      try {
        const operation = api[method] as (...params: unknown[]) => Promise<unknown>;
        const value = await operation.apply(api, validated);
        return { ok: true, value };
      } catch (error) {
        const info = toErrorInfo(error);
        if (info.code === 'internal_error') options.onUnexpectedError?.(method, error);
        return { ok: false, error: info };
      }
    },
  };
}

function isTrusted(options: DispatcherOptions, url: string): boolean {
  try {
    return options.isTrustedSender(url);
  } catch {
    return false;
  }
}

function failure(code: ErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}
