// Lint rules, including the layer boundaries from ../shared/style.md:
// main/auth imports nothing else in the repo; preload and renderer see the contract as types only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

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
    rules: {
      ...restrict([
        { group: ['electron', 'electron/*', 'electron-store'], message: 'main/auth runs in plain Node: no Electron.' },
        { group: ['../*', '!../auth', '!../auth/*'], message: 'main/auth imports nothing else in the repo.' },
        { group: ['**/preload/**', '**/renderer/**'], message: 'main/auth imports nothing else in the repo.' },
      ]),
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/auth/**'],
    rules: {
      ...restrict([{ group: ['**/renderer/**'], message: 'main never imports the renderer.' }]),
    },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      ...restrict([
        { group: ['**/main/**', '../main/*'], message: 'preload sees only the contract.' },
        { group: ['**/renderer/**'], message: 'preload never imports the renderer.' },
      ]),
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...restrict([
        { group: ['**/main/**', 'electron', 'electron/*', 'node:*'], message: 'The renderer talks to main only through window.api.' },
        { group: ['**/preload/*', '!**/preload/contract'], message: 'The renderer imports only the contract (types).' },
      ]),
    },
  },
);
