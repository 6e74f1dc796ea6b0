/**
 * What browser mode prints when it is up: the link, whether it opened, the demo user, where
 * tokens are kept (and how to keep them), how to get the same address again, and how to stop.
 */

/** Facts the banner is made of. */
export interface StartupFacts {
  /** The page with its session key (`http://127.0.0.1:<port>/#k=…`). */
  readonly url: string;
  readonly port: number;
  /** Whether the browser was opened, or why not; undefined when opening was turned off. */
  readonly opened?: { readonly opened: true } | { readonly opened: false; readonly reason: string };
  /** The demo provider's user, when the demo provider runs. */
  readonly demoUser?: { readonly username: string; readonly password: string };
  /** Where the encrypted cache and its key file are, when tokens are persisted. */
  readonly persisted?: { readonly cacheFile: string; readonly keyFile: string };
  /** How options reach the app from this command line (`npm start --` or `npm run start:browser --`). */
  readonly command?: string;
}

/** The banner's lines. */
export function startupBanner(facts: StartupFacts): string[] {
  const command = facts.command ?? 'npm start --';
  const lines = [`Tessera is running in browser mode: open ${facts.url}`];
  if (facts.opened?.opened) lines.push('  Opened in your browser.');
  else if (facts.opened) lines.push(`  Open the link above in your browser (${facts.opened.reason}).`);
  if (facts.demoUser) lines.push(`  Demo provider: sign in as ${facts.demoUser.username} / ${facts.demoUser.password} (a local test server; no real account).`);
  if (facts.persisted) {
    lines.push(`  Tokens are saved encrypted in ${facts.persisted.cacheFile}; its key is ${facts.persisted.keyFile} (readable only by you).`);
  } else {
    lines.push(`  Tokens are kept in memory only: accounts sign in again after a restart. To keep them: ${command} --persist-tokens`);
  }
  lines.push(`  Same port next time: ${command} --port ${facts.port}    All options: ${command} --help`);
  lines.push('  Stop with Ctrl+C.');
  return lines;
}

/** `--help` of `npm start` and `npm run start:browser`. */
export function usage(command = 'npm start --'): string {
  return [
    `Usage: ${command} [options]   (npm needs the "--" before options, or it keeps them for itself)`,
    '',
    '  --browser          browser mode even where the desktop app could start (npm start only)',
    '  --persist-tokens   keep tokens on disk, AES-256-GCM encrypted with a key file next to them',
    '                     (browser mode; the desktop app uses the OS keyring instead)',
    '  --port N           listen on 127.0.0.1:N instead of a free port (also TESSERA_PORT=N)',
    '  --data-dir DIR     where settings (and persisted tokens) live',
    '  --no-open          do not open a browser (BROWSER=none does the same; BROWSER picks one)',
    '  --no-demo          leave the local demo provider out',
    '  --help             this text',
  ].join('\n');
}
