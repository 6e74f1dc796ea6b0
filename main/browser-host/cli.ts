/**
 * Entry point of `npm run start:browser` (`tsx main/browser-host/cli.ts [--port N] [--persist-tokens]`).
 */
import { runBrowserMode } from './run';

try {
  await runBrowserMode(process.argv.slice(2), undefined, 'npm run start:browser --');
} catch (error) {
  console.error(`Tessera browser mode could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
