/**
 * Plain words for the token bridge's data, shared by the consent dialog, the Activity view and
 * Settings: integrations, how a hand-out was allowed, why one was refused, and times.
 */
import type { BridgeIntegration, ErrorCode, GrantBasis } from '../../preload/contract';
import { formatDuration } from '../common/format';

/** Which tool asked, as a person knows it. */
export function integrationLabel(integration: BridgeIntegration): string {
  switch (integration) {
    case 'cli':
      return 'tessera token';
    case 'exec':
      return 'tessera exec';
    case 'kubectl':
      return 'kubectl (credential plugin)';
    case 'git':
      return 'git (credential helper)';
    case 'azure-identity':
      return 'Azure SDK (azure-identity)';
  }
}

/** How a hand-out was allowed. */
export function basisLabel(basis: GrantBasis | undefined): string {
  switch (basis) {
    case 'standing-rule':
      return 'Allowed by a standing rule';
    case 'terminal-session':
      return 'Allowed for its terminal session';
    case 'once':
      return 'Allowed once';
    case undefined:
      return 'Allowed';
  }
}

/** Why a request was refused, from its error code. */
export function refusalLabel(code: ErrorCode | undefined): string {
  switch (code) {
    case 'consent_denied':
      return 'Denied in Tessera';
    case 'consent_timeout':
      return 'Refused: nobody answered in time';
    case 'no_standing_rule':
      return 'Refused: no terminal to ask from and no standing rule for this program';
    case undefined:
      return 'Refused';
    default:
      return `Refused (${code.replaceAll('_', ' ')})`;
  }
}

/** "just now", "35 s ago", "3 min ago", "2 h 5 min ago", "4 d ago". */
export function formatAgo(epochMs: number, now: number): string {
  const elapsed = now - epochMs;
  if (elapsed < 5_000) return 'just now';
  return `${formatDuration(elapsed)} ago`;
}

/** Scopes as one line, or what an empty list means. */
export function scopesText(scopes: readonly string[]): string {
  return scopes.length === 0 ? 'the profile’s default scopes' : scopes.join(' ');
}
