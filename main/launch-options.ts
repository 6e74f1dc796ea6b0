/**
 * What a launch asks of the app beyond its settings: test hooks, a separate profile directory,
 * and the local demo provider. Plain Node, so it is unit-tested.
 *
 * All of it is honoured only in a source checkout (`app.isPackaged` false): a release build
 * ignores every `TESSERA_*` variable, so nobody can switch on test hooks or trust an extra CA in an
 * installed app by setting an environment variable.
 */
import type { ProviderProfile } from '../preload/contract';

/** The demo profile as `AppCoreDeps.demoProfile` takes it. */
export type DemoProfile = Omit<ProviderProfile, 'id' | 'preset' | 'builtIn'>;

/** The local demo provider of a source checkout. */
export interface DemoProvider {
  readonly profile: DemoProfile;
  /** CA certificate (PEM file) of the demo provider's https server, trusted for it only. */
  readonly caPath?: string;
}

/** Result of {@link readLaunchOptions}. */
export interface LaunchOptions {
  /** `globalThis.__tesseraTestHooks` for Playwright (`TESSERA_TEST_HOOKS=1`). */
  readonly testHooks: boolean;
  /** Replaces Electron's `userData` directory (`TESSERA_USER_DATA_DIR`), so tests start clean. */
  readonly userDataDir?: string;
  /** Present when the demo provider is switched on (`TESSERA_DEMO=1`). */
  readonly demo?: DemoProvider;
}

/** Issuer of the demo provider when `TESSERA_DEMO_ISSUER` is not set. */
export const DEFAULT_DEMO_ISSUER = 'https://localhost:4433/oidc';
/** The test provider's public web client, whose registered redirect the embedded window catches. */
export const DEFAULT_DEMO_CLIENT_ID = 'tessera-public-web';
export const DEFAULT_DEMO_REDIRECT_URI = 'https://localhost/redirect';
export const DEFAULT_DEMO_SCOPES: readonly string[] = ['api://tessera-demo/read'];

/**
 * Reads the launch options from the environment.
 *
 * `TESSERA_DEMO=1` turns the demo provider on; `TESSERA_DEMO_ISSUER`, `TESSERA_DEMO_CLIENT_ID`,
 * `TESSERA_DEMO_REDIRECT_URI`, `TESSERA_DEMO_SCOPES` (space-separated) and `TESSERA_DEMO_CA`
 * override its defaults.
 */
export function readLaunchOptions(env: Readonly<Record<string, string | undefined>>, context: { readonly isPackaged: boolean }): LaunchOptions {
  if (context.isPackaged) return { testHooks: false };
  const userDataDir = nonEmpty(env.TESSERA_USER_DATA_DIR);
  const demo = env.TESSERA_DEMO === '1' ? demoProvider(env) : undefined;
  return {
    testHooks: env.TESSERA_TEST_HOOKS === '1',
    ...(userDataDir ? { userDataDir } : {}),
    ...(demo ? { demo } : {}),
  };
}

function demoProvider(env: Readonly<Record<string, string | undefined>>): DemoProvider {
  const scopes = nonEmpty(env.TESSERA_DEMO_SCOPES)?.split(/\s+/).filter(Boolean) ?? [...DEFAULT_DEMO_SCOPES];
  const caPath = nonEmpty(env.TESSERA_DEMO_CA);
  return {
    profile: {
      name: 'Local demo provider',
      kind: 'oidc',
      clientId: nonEmpty(env.TESSERA_DEMO_CLIENT_ID) ?? DEFAULT_DEMO_CLIENT_ID,
      authority: nonEmpty(env.TESSERA_DEMO_ISSUER) ?? DEFAULT_DEMO_ISSUER,
      defaultScopes: scopes,
      redirectUri: nonEmpty(env.TESSERA_DEMO_REDIRECT_URI) ?? DEFAULT_DEMO_REDIRECT_URI,
      signInMethod: 'embedded',
    },
    ...(caPath ? { caPath } : {}),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * Whether Chromium should accept a certificate because the demo provider's CA issued it.
 *
 * Only for the demo issuer's own host on loopback names, and only when the certificate's issuer is
 * exactly the demo CA (PEM compared without whitespace). Everything else keeps Chromium's verdict.
 */
export function isDemoCertificate(request: { readonly hostname: string; readonly issuerPem: string | undefined }, demo: { readonly issuer: string; readonly caPem: string }): boolean {
  let issuerHost: string;
  try {
    issuerHost = new URL(demo.issuer).hostname;
  } catch {
    return false;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'];
  if (request.hostname !== issuerHost || !loopback.includes(request.hostname)) return false;
  if (!request.issuerPem) return false;
  return stripWhitespace(request.issuerPem) === stripWhitespace(demo.caPem);
}

function stripWhitespace(pem: string): string {
  return pem.replace(/\s+/g, '');
}
