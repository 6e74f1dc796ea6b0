/**
 * Errors thrown by the persistence services.
 *
 * An {@link AppError} (the one error model outside the auth core, `main/errors/`) with a narrower
 * code union: the persistence services report only these.
 */
import { AppError } from '../errors';

/** Stable codes of {@link PersistenceError}. */
export type PersistenceErrorCode =
  | 'undecryptable'
  | 'invalid_key_file'
  | 'encryption_unavailable'
  | 'encryption_failed'
  /** A file or folder could not be written because the disk (or the user's quota) is full. */
  | 'disk_full'
  /** The disk or folder is mounted read-only. */
  | 'read_only'
  /** The operating system refused access to a file or folder (owner, mode, sandbox). */
  | 'permission_denied'
  /** A file holds data Tessera cannot read now (damaged settings), so it is kept and not overwritten. */
  | 'unreadable_file'
  /** Data Tessera cannot read now would have been replaced, and no backup of it could be made. */
  | 'backup_failed'
  /** Saved sign-ins protected by a strong keyring would have been replaced by weakly protected ones. */
  | 'strong_data_kept'
  | 'io_error';

/**
 * A persistence operation failed.
 *
 * `undecryptable` means the ciphertext was written with another key or was altered; callers treat
 * the affected accounts as "needs sign-in" and never wipe the stored data.
 */
export class PersistenceError extends AppError {
  override readonly name = 'PersistenceError';
  declare readonly code: PersistenceErrorCode;

  constructor(code: PersistenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The errno-style code of a Node system error, if any. */
export function errnoOf(error: unknown): string | undefined {
  const code: unknown = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
 * A file-system failure as a {@link PersistenceError} whose code and message say what is wrong.
 *
 * `what` completes "… could not be saved" style sentences, e.g. `"The settings could not be saved"`;
 * `where` is the file or folder concerned (paths are not secrets and tell the user where to look).
 * The `cause` keeps the system error for diagnostics.
 */
export function diskError(cause: unknown, what: string, where: string): PersistenceError {
  if (cause instanceof PersistenceError) return cause;
  switch (errnoOf(cause)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new PersistenceError('disk_full', `${what}: the disk holding ${where} is full. Free some space, then try again; what was saved before is unchanged.`, { cause });
    case 'EROFS':
      return new PersistenceError('read_only', `${what}: ${where} is on a read-only disk. Make it writable (or start Tessera with another data folder); what was saved before is unchanged.`, { cause });
    case 'EACCES':
    case 'EPERM':
      return new PersistenceError('permission_denied', `${what}: Tessera may not write to ${where}. Check that your user owns it and can write to it; what was saved before is unchanged.`, { cause });
    default:
      return new PersistenceError('io_error', `${what}: writing to ${where} failed. Check the disk and the folder's permissions; what was saved before is unchanged.`, { cause });
  }
}
