/**
 * The layering rules of eslint.config.js, proven: each broken rule makes ESLint fail on a small
 * in-memory file placed where the rule applies, and the allowed imports pass.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The `no-restricted-imports` messages ESLint reports for `code` as if it were the file at `filePath`. */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const broken: Array<[rule: string, file: string, code: string, message: RegExp]> = [
  ['main/auth imports nothing else', 'main/auth/probe.ts', "import { x } from '../services/app-core';", /main\/auth imports nothing else/],
  ['main/auth runs without Electron', 'main/auth/probe.ts', "import { app } from 'electron';", /no Electron/],
  ['services do not import the boundary', 'main/services/probe.ts', "import { parseWith } from '../boundary/schema';", /main\/services must not import/],
  ['services do not import windows', 'main/services/probe.ts', "import { x } from '../windows/policy';", /main\/services must not import/],
  ['services do not import the tray', 'main/services/probe.ts', "import type { x } from '../tray-template';", /main\/services must not import/],
  ['services do not import browser-host', 'main/services/probe.ts', "import { x } from '../browser-host/server';", /main\/services must not import/],
  ['services run without Electron', 'main/services/probe.ts', "import { clipboard } from 'electron';", /no Electron/],
  ['the auth core only through its index (services)', 'main/services/probe.ts', "import { AuthError } from '../auth/errors';", /main\/auth\/index\.ts only/],
  ['the auth core only through its index (hosts)', 'main/browser-host/probe.ts', "import { x } from '../auth/token-cache';", /main\/auth\/index\.ts only/],
  ['errors below services', 'main/errors/probe.ts', "import { x } from '../services/accounts';", /main\/errors must not import/],
  ['errors below persistence', 'main/errors/probe.ts', "import { x } from '../persistence/errors';", /main\/errors must not import/],
  ['persistence below services', 'main/persistence/probe.ts', "import { x } from '../services/settings';", /must not import services/],
  ['the data-folder lock below services', 'main/instance/probe.ts', "import { x } from '../services/app-core';", /must not import services/],
  ['brokers below the boundary', 'main/brokers/probe.ts', "import { x } from '../boundary/dispatch';", /must not import/],
  ['the boundary below the hosts', 'main/boundary/probe.ts', "import { x } from '../browser-host/server';", /main\/boundary must not import/],
  ['main never imports the renderer', 'main/windows/probe.ts', "import { x } from '../../renderer/store';", /never imports the renderer/],
  ['preload sees only the contract', 'preload/probe.ts', "import { x } from '../main/services/app-core';", /preload sees only the contract/],
  ['the renderer talks to main only through window.api', 'renderer/store/probe.ts', "import { x } from '../../main/errors';", /only through window\.api/],
];

describe('layering rules in eslint.config.js', () => {
  it.each(broken)('fails when broken: %s', async (_rule, file, code, message) => {
    const errors = await layerErrors(file, `${code}\nvoid x;\n`);
    expect(errors.length, `${file}: ${code}`).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(message);
  });

  it.each([
    ['main/services/probe.ts', "import { AuthError } from '../auth';"],
    ['main/services/probe.ts', "import { redact } from '../errors';"],
    ['main/services/probe.ts', "import type { TrayModel } from './tray-model';"],
    ['main/boundary/probe.ts', "import { createAppCore } from '../services/app-core';"],
    ['main/tray-probe.ts', "import type { TrayModel } from './services/tray-model';"],
    ['main/errors/probe.ts', "import type { ErrorInfo } from '../../preload/contract';"],
    ['renderer/store/probe.ts', "import type { ErrorCode } from '../../preload/contract';"],
  ])('allows downward imports: %s %s', async (file, code) => {
    expect(await layerErrors(file, `${code}\n`)).toEqual([]);
  });
});
