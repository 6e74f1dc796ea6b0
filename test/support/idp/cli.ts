/**
 * Runs the test identity provider as the local demo provider: `npx tsx test/support/idp/cli.ts`.
 *
 * Prints the issuer URLs, users and clients, then serves until Ctrl+C. `--port N` picks the port
 * (default: a free one); `--tenant NAME` may repeat.
 */
import { startTestIdp, type TestIdpOptions } from './index';

function parseArgs(argv: readonly string[]): TestIdpOptions {
  const options: TestIdpOptions = {};
  const tenants: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const value = argv[i + 1];
    if (argv[i] === '--port' && value) {
      options.port = Number(value);
      i += 1;
    } else if (argv[i] === '--tenant' && value) {
      tenants.push(value);
      i += 1;
    }
  }
  if (tenants.length > 0) options.tenants = tenants;
  return options;
}

const idp = await startTestIdp(parseArgs(process.argv.slice(2)));
const lines = [
  'Tessera test identity provider',
  `  origin:              ${idp.origin}`,
  `  OIDC issuer:         ${idp.oidcIssuer}`,
  `  Entra authority:     ${idp.entraAuthority()}   (issuer ${idp.entraIssuer()})`,
  `  Entra common:        ${idp.entraAuthority('common')}`,
  `  instance discovery:  ${idp.instanceDiscoveryUrl}`,
  `  CA certificate:      ${idp.caPath}   (e.g. NODE_EXTRA_CA_CERTS=${idp.caPath})`,
  '  users:               ' + idp.users.map((user) => `${user.username} / ${user.password}`).join(', '),
  '  clients:             ' + idp.clients.map((client) => client.clientId + (client.clientSecret ? ` (secret ${client.clientSecret})` : ' (public)')).join(', '),
  'Press Ctrl+C to stop.',
];
console.log(lines.join('\n'));

const shutdown = (): void => {
  idp.stop().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
