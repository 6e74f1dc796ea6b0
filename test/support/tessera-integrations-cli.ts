/**
 * A `tessera` command for the integrations' tests: the real integration subcommands, with tokens
 * from the test's token issuer (`TESSERA_TEST_ISSUER`) instead of the running app.
 *
 * Run through {@link writeTesseraCommand}, which writes an executable wrapper so kubectl and git can
 * call it by absolute path, as they would call an installed `tessera`.
 */
import { runIntegrationCommand } from '../../cli/integrations/commands';
import { issuerGetToken } from './token-issuer-client';

const issuer = process.env['TESSERA_TEST_ISSUER'];
if (!issuer) {
  process.stderr.write('tessera (test): TESSERA_TEST_ISSUER is not set.\n');
  process.exitCode = 1;
} else {
  process.exitCode = await runIntegrationCommand(process.argv.slice(2), {
    getToken: issuerGetToken(issuer),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    commandPath: process.env['TESSERA_TEST_COMMAND'] ?? 'tessera',
  });
}
