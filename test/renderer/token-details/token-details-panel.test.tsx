// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/app';
import { decodeToken, tokenFromPaste } from '../../../renderer/token-details/decode-token';
import { createFakeApi, makeAccount } from '../support/fake-api';
import { renderWithStore } from '../support/render-app';

afterEach(cleanup);

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const iat = Math.floor(Date.now() / 1000);
// An unsigned-looking JWS: the renderer only decodes (main already trusts where it came from).
const JWT = `${b64({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })}.${b64({ iss: 'https://localhost/oidc', aud: 'api://tessera-demo', scope: 'api://tessera-demo/read openid', iat, exp: iat + 1800, sub: 'alice' })}.c2lnbmF0dXJl`;

describe('decodeToken', () => {
  it('decodes header, claims, audience and scopes', () => {
    const decoded = decodeToken(JWT);
    expect(decoded.kind).toBe('jwt');
    if (decoded.kind !== 'jwt') return;
    expect(decoded.header.kid).toBe('k1');
    expect(decoded.audience).toEqual(['api://tessera-demo']);
    expect(decoded.scopes).toEqual(['api://tessera-demo/read', 'openid']);
    expect(decoded.expiresAt).toBe(iat + 1800);
  });
  it('reads Entra scp and array audiences', () => {
    const token = `${b64({ alg: 'RS256' })}.${b64({ aud: ['a', 'b'], scp: 'User.Read Mail.Read' })}.x`;
    const decoded = decodeToken(token);
    expect(decoded.kind === 'jwt' && decoded.audience).toEqual(['a', 'b']);
    expect(decoded.kind === 'jwt' && decoded.scopes).toEqual(['User.Read', 'Mail.Read']);
  });
  it('takes a token out of a pasted header line', () => {
    expect(tokenFromPaste('  Authorization: Bearer abc.def.ghi \n')).toBe('abc.def.ghi');
    expect(tokenFromPaste('bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(tokenFromPaste('abc.\ndef.ghi')).toBe('abc.def.ghi');
  });
  it('treats opaque, encrypted and broken tokens as opaque', () => {
    expect(decodeToken('2YotnFZFEjr1zCsicMWpAA').kind).toBe('opaque');
    expect(decodeToken('a.b.c.d.e')).toMatchObject({ kind: 'opaque', reason: expect.stringContaining('encrypted') });
    expect(decodeToken('not.a.jwt').kind).toBe('opaque');
  });
});

describe('TokenDetailsPanel', () => {
  it('asks main for the ID token only when asked: claims first, the raw token only on "Reveal raw ID token", gone on hide and close', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    const { store } = renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Token details for alice@contoso.com' }));
    const section = await screen.findByTestId('id-token');
    expect(fake.callsOf('getIdToken')).toHaveLength(0);
    fireEvent.click(within(section).getByRole('button', { name: 'Show ID token claims' }));
    const claims = await within(section).findByTestId('jwt-claims');
    expect(JSON.parse(claims.textContent ?? '{}')).toMatchObject({ sub: 'alice-sub', preferred_username: 'alice@contoso.com' });
    expect(fake.callsOf('getIdToken').map((call) => call.args)).toEqual([[{ accountId: 'a' }]]);
    expect(within(section).queryByTestId('revealed-id-token')).toBeNull();
    expect(store.getState().idToken?.idToken).toBeUndefined();

    // The buttons stay disabled until the claims' answer is fully handled (a click meanwhile does nothing).
    const reveal = within(section).getByRole('button', { name: 'Reveal raw ID token' });
    await waitFor(() => expect((reveal as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(reveal);
    expect(((await within(section).findByTestId('revealed-id-token')) as HTMLTextAreaElement).value).toBe('raw-id-token');
    expect(fake.callsOf('getIdToken').at(-1)?.args).toEqual([{ accountId: 'a', raw: true }]);
    fireEvent.click(within(section).getByRole('button', { name: 'Hide ID token' }));
    await waitFor(() => expect(within(section).queryByTestId('jwt-claims')).toBeNull());
    expect(store.getState().idToken).toBeNull();

    fake.failNext('getIdToken', { code: 'not_found', message: 'No ID token is saved for this account. Sign in again to get one.' });
    fireEvent.click(within(section).getByRole('button', { name: 'Show ID token claims' }));
    expect((await within(section).findByRole('alert')).textContent).toBe('ID token: No ID token is saved for this account. Sign in again to get one.');
  });

  it('keeps the token masked until revealed, then shows the decoded JWT with a countdown', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    fake.token = { accessToken: JWT, tokenType: 'Bearer', expiresOn: iat + 1800, scopes: ['api://tessera-demo/read'], source: 'identity_provider' };
    const { store } = renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Token details for alice@contoso.com' }));
    await screen.findByRole('dialog', { name: 'Token for alice@contoso.com' });
    expect(screen.getByTestId('masked-token').getAttribute('aria-label')).toBe('Token hidden');
    expect(screen.queryByTestId('revealed-token')).toBeNull();
    expect(fake.callsOf('revealToken')).toHaveLength(0);
    expect(document.body.innerHTML).not.toContain(JWT);

    fireEvent.click(screen.getByRole('button', { name: 'Reveal token' }));
    expect(((await screen.findByTestId('revealed-token')) as HTMLTextAreaElement).value).toBe(JWT);
    expect(screen.getByTestId('audience').textContent).toBe('api://tessera-demo');
    expect(screen.getByTestId('scopes').textContent).toBe('api://tessera-demo/read openid');
    expect(JSON.parse(screen.getByTestId('jwt-header').textContent ?? '{}')).toEqual({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' });
    expect(JSON.parse(screen.getByTestId('jwt-claims').textContent ?? '{}')).toMatchObject({ sub: 'alice', iss: 'https://localhost/oidc' });
    expect(screen.getByTestId('countdown').textContent).toMatch(/^expires in (29|30) min$/);

    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(store.getState().revealed).toBeNull();
    expect(document.body.innerHTML).not.toContain(JWT);
  });

  it('asks for other scopes and handles opaque tokens', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Token details for alice@contoso.com' }));
    fireEvent.change(await screen.findByLabelText('Scopes'), { target: { value: 'api://other/.default' } });
    fireEvent.click(screen.getByRole('button', { name: 'Reveal token' }));
    expect((await screen.findByTestId('opaque-notice')).textContent).toContain('opaque');
    expect(screen.getByTestId('scopes').textContent).toBe('api://tessera-demo/read');
    expect(fake.callsOf('revealToken')[0]?.args[0]).toEqual({ accountId: 'a', scopes: ['api://other/.default'] });
    fireEvent.click(screen.getByRole('button', { name: 'Hide token' }));
    expect(screen.getByTestId('masked-token').getAttribute('aria-label')).toBe('Token hidden');
    expect(screen.queryByTestId('revealed-token')).toBeNull();
  });

  it('shows why a token could not be revealed', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    fake.failNext('revealToken', { code: 'needs_sign_in', message: 'Sign in again to see this token.' });
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Token details for alice@contoso.com' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Reveal token' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Sign in again to see this token.');
  });

  it('hides the token without asking main for it again (regression: "Hide token" re-revealed it)', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    fake.token = { accessToken: JWT, tokenType: 'Bearer', expiresOn: iat + 1800, scopes: ['api://tessera-demo/read'], source: 'cache' };
    const { store } = renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Token details for alice@contoso.com' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Reveal token' }));
    await screen.findByTestId('revealed-token');
    const hide = screen.getByRole('button', { name: 'Hide token' });
    hide.focus();
    fireEvent.click(hide);
    expect(screen.getByTestId('masked-token')).not.toBeNull();
    // Give a stray form submission every chance to run.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.callsOf('revealToken')).toHaveLength(1);
    expect(store.getState().revealed).toBeNull();
    expect(screen.queryByTestId('revealed-token')).toBeNull();
    expect(document.body.innerHTML).not.toContain(JWT);
    // Focus stayed in the panel, on the button that reveals it again.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Reveal token' }));
  });

  it('shows why the account needs sign-in in the panel', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com', status: { kind: 'needs-sign-in', reason: 'The refresh token was revoked. Sign in again.' } })]);
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Token details for alice@contoso.com' }));
    const panel = await screen.findByRole('dialog', { name: 'Token for alice@contoso.com' });
    expect(within(panel).getByText('The refresh token was revoked. Sign in again.')).not.toBeNull();
  });
});

describe('Decode a token', () => {
  it('decodes a pasted header line locally, without any call to main', async () => {
    const fake = createFakeApi([]);
    renderWithStore(<App />, fake);
    await screen.findByRole('button', { name: 'Add your first account' });
    const before = fake.calls.length;
    fireEvent.click(screen.getByRole('button', { name: 'Decode a token' }));
    const dialog = await screen.findByRole('dialog', { name: 'Decode a token' });
    fireEvent.change(within(dialog).getByLabelText('Token to decode'), { target: { value: `Authorization: Bearer ${JWT}` } });
    const decoded = await within(dialog).findByTestId('decoded-token');
    expect(within(decoded).getByTestId('audience').textContent).toBe('api://tessera-demo');
    expect(within(decoded).getByTestId('issuer').textContent).toBe('https://localhost/oidc');
    expect(JSON.parse(within(decoded).getByTestId('jwt-claims').textContent ?? '{}')).toMatchObject({ sub: 'alice' });
    expect(within(decoded).getByTestId('countdown').textContent).toMatch(/^expires in (29|30) min$/);
    fireEvent.change(within(dialog).getByLabelText('Token to decode'), { target: { value: 'not-a-jwt' } });
    expect((await within(dialog).findByTestId('opaque-notice')).textContent).toContain('opaque');
    expect(fake.calls.length).toBe(before);
  });
});
