/**
 * The desktop app's consent prompt: a native dialog in front of the Tessera window, the one
 * Electron call of the bridge (kept in this adapter so the rest of main/bridge is plain Node).
 *
 * It names the account, the scopes and what the caller reported about itself — marked as reported
 * by the caller — and offers the four answers; "Deny" is the default and what Escape chooses.
 */
import { dialog, type BrowserWindow } from 'electron';
import type { ConsentChoice, ConsentPrompt } from './consent-types';

const CHOICES: readonly ConsentChoice[] = ['once', 'session', 'always', 'deny'];

/** The dialog's text for a prompt (exported for its test). */
export function describePrompt(prompt: ConsentPrompt): { message: string; detail: string; buttons: string[] } {
  const caller = prompt.caller;
  const lines = [
    `Account: ${prompt.username} (${prompt.profileName})`,
    `Scopes: ${prompt.scopes.join(' ') || 'the profile’s default scopes'}`,
    '',
    'Reported by the caller (any program of yours could claim this):',
    `  program: ${caller.program}${caller.command ? ` — ${caller.command}` : ''}`,
    ...(caller.parentProgram ? [`  parent: ${caller.parentProgram}`] : []),
    ...(caller.tty ? [`  terminal: ${caller.tty}`] : []),
    ...(caller.cwd ? [`  folder: ${caller.cwd}`] : []),
  ];
  return {
    message: `"${caller.program}" asks for an access token`,
    detail: lines.join('\n'),
    buttons: ['Allow once', 'Allow this terminal session', `Always allow ${caller.program}`, 'Deny'],
  };
}

/** Shows the prompt and calls `answer` with the choice (never for a dialog that failed to show). */
export async function askInDialog(prompt: ConsentPrompt, parent: BrowserWindow | undefined, answer: (choice: ConsentChoice) => void): Promise<void> {
  const { message, detail, buttons } = describePrompt(prompt);
  const options = { type: 'question' as const, title: 'Tessera: token request', message, detail, buttons, defaultId: 3, cancelId: 3, noLink: true };
  const result = parent && !parent.isDestroyed() ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
  const choice = CHOICES[result.response] ?? 'deny';
  answer(choice);
}
