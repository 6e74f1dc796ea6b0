/**
 * The launch environment of the desktop app's main process in tests: a data folder of its own and
 * the demo provider pointed at the test identity provider (`main/launch-options.ts` reads these).
 */
import { DEMO_API_SCOPES, PUBLIC_WEB_CLIENT_ID, type TestIdp } from './idp';

/**
 * `TESSERA_*` variables for a main process that keeps its data in `userDataDir` and offers the test
 * provider as its demo profile, signing in through the embedded window (redirect caught in-window).
 */
export function desktopTestEnv(idp: TestIdp, userDataDir: string): Record<string, string> {
  return {
    TESSERA_USER_DATA_DIR: userDataDir,
    TESSERA_DEMO: '1',
    TESSERA_DEMO_ISSUER: idp.oidcIssuer,
    TESSERA_DEMO_CA: idp.caPath,
    TESSERA_DEMO_CLIENT_ID: PUBLIC_WEB_CLIENT_ID,
    TESSERA_DEMO_REDIRECT_URI: 'https://localhost/redirect',
    TESSERA_DEMO_SCOPES: DEMO_API_SCOPES[0] ?? '',
  };
}
