// Lint rules, including the layer boundaries of docs/architecture.md. Layers import downward only:
//   preload/contract  ←  main/auth  ←  main/errors  ←  main/persistence, main/instance, main/brokers, main/clipboard
//   ←  main/services  ←  main/boundary  ←  main/windows, main/tray*, main/browser-host, main/index.ts
// test/build/lint-layers.test.ts proves each rule below fails on a file that breaks it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** One layering rule: what a group of files may not import, and why. */
const forbid = (group, message) => ({ group, message });

const NO_RENDERER = forbid(['**/renderer/**'], 'main never imports the renderer.');
const AUTH_THROUGH_INDEX = forbid(['**/auth/*', '!**/auth/index'], 'Outside main/auth, import the auth core through main/auth/index.ts only.');
const NO_ELECTRON = (who) => forbid(['electron', 'electron/*', 'electron-store'], `${who} runs in plain Node: no Electron.`);
const NOT_UP = (who, folders) =>
  forbid(folders.flatMap((folder) => [`../${folder}`, `../${folder}/*`, `../${folder}-*`]), `${who} must not import ${folders.join(', ')} (layers import downward only).`);
// Everything above the services: the boundary and the hosts that use it.
const ABOVE_SERVICES = ['boundary', 'windows', 'tray', 'browser-host', 'bridge', 'index'];

/** `no-restricted-imports` with these patterns (later configs replace earlier ones, so each block lists all it needs). */
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['main/auth/**/*.ts'],
    rules: restrict(
      NO_ELECTRON('main/auth'),
      forbid(['../*', '!../auth', '!../auth/*'], 'main/auth imports nothing else in the repo.'),
      forbid(['**/preload/**', '**/renderer/**'], 'main/auth imports nothing else in the repo.'),
    ),
  },
  {
    files: ['main/**/*.ts', 'cli/**/*.ts'],
    ignores: ['main/auth/**'],
    rules: restrict(NO_RENDERER, AUTH_THROUGH_INDEX),
  },
  {
    files: ['main/errors/**/*.ts'],
    rules: restrict(
      NO_RENDERER,
      AUTH_THROUGH_INDEX,
      NO_ELECTRON('main/errors'),
      NOT_UP('main/errors', ['persistence', 'brokers', 'clipboard', 'services', ...ABOVE_SERVICES]),
    ),
  },
  {
    files: ['main/persistence/**/*.ts', 'main/instance/**/*.ts', 'main/brokers/**/*.ts', 'main/clipboard/**/*.ts'],
    rules: restrict(NO_RENDERER, AUTH_THROUGH_INDEX, NOT_UP('This layer (persistence, instance, brokers, clipboard)', ['services', ...ABOVE_SERVICES])),
  },
  {
    files: ['main/services/**/*.ts'],
    rules: restrict(NO_RENDERER, AUTH_THROUGH_INDEX, NO_ELECTRON('main/services'), NOT_UP('main/services', ABOVE_SERVICES)),
  },
  {
    files: ['main/boundary/**/*.ts'],
    rules: restrict(NO_RENDERER, AUTH_THROUGH_INDEX, NOT_UP('main/boundary', ['windows', 'tray', 'browser-host', 'bridge', 'index'])),
  },
  {
    files: ['preload/**/*.ts'],
    rules: restrict(
      forbid(['**/main/**', '../main/*'], 'preload sees only the contract.'),
      forbid(['**/renderer/**'], 'preload never imports the renderer.'),
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(
      forbid(['**/main/**', 'electron', 'electron/*', 'node:*'], 'The renderer talks to main only through window.api.'),
      forbid(['**/preload/*', '!**/preload/contract'], 'The renderer imports only the contract (types).'),
    ),
  },
);
