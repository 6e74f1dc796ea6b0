/**
 * `tessera token --format az`: the JSON `az account get-access-token` prints, so scripts written for
 * the Azure CLI read Tessera's tokens unchanged.
 *
 * Fields as azure-cli's `get_access_token` writes them: `accessToken`, `expiresOn` (local time,
 * `YYYY-MM-DD HH:MM:SS.ffffff`), `expires_on` (epoch seconds, azure-cli ≥ 2.54), `subscription`
 * (when known), `tenant`, `tokenType`; keys sorted and indented by two spaces as az's JSON output is.
 */
import type { TokenGrant } from './get-token';

/** The object `az account get-access-token` prints. */
export interface AzAccessToken {
  readonly accessToken: string;
  readonly expiresOn: string;
  readonly expires_on: number;
  readonly subscription?: string;
  readonly tenant?: string;
  readonly tokenType: string;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** `YYYY-MM-DD HH:MM:SS.ffffff` in the local time zone (Python's `str(datetime.fromtimestamp(t))`). */
export function azLocalTime(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds() * 1000, 6)}`;
}

/**
 * The az-shaped object for a grant.
 *
 * `subscription` is the one given on the command line (as az's `--subscription`), else the one the
 * account's profile names; `tenant` is left out for accounts that have none (plain OIDC), since az
 * itself always has one and the SDKs that parse this output ignore it.
 */
export function toAzAccessToken(grant: TokenGrant, subscription?: string): AzAccessToken {
  const chosenSubscription = subscription ?? grant.account.subscription;
  return {
    accessToken: grant.accessToken,
    expiresOn: azLocalTime(grant.expiresOn),
    expires_on: grant.expiresOn,
    ...(chosenSubscription !== undefined ? { subscription: chosenSubscription } : {}),
    ...(grant.account.tenant !== undefined ? { tenant: grant.account.tenant } : {}),
    tokenType: grant.tokenType,
  };
}

/** The text `--format az` prints (az's JSON: two-space indent, newline-terminated). */
export function formatAzAccessToken(grant: TokenGrant, subscription?: string): string {
  return `${JSON.stringify(toAzAccessToken(grant, subscription), null, 2)}\n`;
}
