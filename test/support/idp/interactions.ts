/**
 * The sign-in interaction of the test identity provider (oidc-provider's `interactions.url` target).
 *
 * A real login form checked against the configured users; consent is granted automatically for
 * whatever the client asked for, as a first-party app would get.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider } from 'oidc-provider';
import type { TestUser } from './directory';
import { loginPage } from './pages';

/** Reads an urlencoded request body (small forms only). */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
  });
  res.end(html);
}

/**
 * Handles `GET|POST <mount>/interaction/<uid>[/abort]` for one provider.
 *
 * `subPath` is the part after `/interaction/`. Unknown or expired interactions render an error page.
 */
export async function handleInteraction(
  provider: Provider,
  users: readonly TestUser[],
  req: IncomingMessage,
  res: ServerResponse,
  subPath: string,
): Promise<void> {
  const [uid, action] = subPath.split('/');
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    sendHtml(res, 400, loginPage({ action: '#', clientId: 'unknown', error: 'This sign-in session has expired. Start again from the application.' }));
    return;
  }
  if (details.uid !== uid) {
    sendHtml(res, 400, loginPage({ action: '#', clientId: details.params.client_id, error: 'This sign-in session does not match. Start again.' }));
    return;
  }

  if (action === 'abort') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
    return;
  }

  const actionUrl = (req.url ?? '').split('?')[0] ?? '';
  if (details.prompt.name === 'login') {
    if (req.method !== 'POST') {
      const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
      sendHtml(res, 200, loginPage({ action: actionUrl, clientId: details.params.client_id, login: hint }));
      return;
    }
    const form = await readForm(req);
    const login = form.get('login') ?? '';
    const user = users.find((candidate) => candidate.username.toLowerCase() === login.toLowerCase());
    if (!user || user.password !== form.get('password')) {
      sendHtml(res, 200, loginPage({ action: actionUrl, clientId: details.params.client_id, login, error: 'Your username or password is incorrect.' }));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
    return;
  }

  if (details.prompt.name === 'consent') {
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
    const accountId = details.session?.accountId;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: details.params.client_id });
    if (!grant) {
      sendHtml(res, 400, loginPage({ action: '#', clientId: details.params.client_id, error: 'This sign-in session has expired. Start again.' }));
      return;
    }
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }

  sendHtml(res, 501, loginPage({ action: '#', clientId: details.params.client_id, error: `Unsupported prompt ${details.prompt.name}.` }));
}
