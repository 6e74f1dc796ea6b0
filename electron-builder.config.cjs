// electron-builder configuration for Tessera (`npm run dist`).
//
// Only the built bundles and package.json go into the asar (electron-builder adds the runtime
// `dependencies` under node_modules itself); sources, tests and source maps never do. Release
// builds flip Electron's fuses as ../shared/spec/security.md asks. The packaging test
// (test/build/packaging.test.ts) reuses this object with a stub Electron and fuses off.

/** @type {import('app-builder-lib').Configuration} */
const config = {
  appId: 'dev.tessera.app',
  productName: 'Tessera',
  copyright: 'Copyright © Tessera contributors',
  directories: {
    output: 'release',
    buildResources: 'build',
  },
  files: [
    'dist/**',
    'package.json',
    '!**/*.map',
    '!**/*.ts',
    '!**/*.tsx',
    '!dist/**/*.d.ts',
    // The command ships beside the app (extraResources), not inside the asar.
    '!dist/cli/**',
  ],
  // The tray icon is read from resources/tray at runtime, and "Install command-line tool" points a
  // launcher at resources/cli/tessera.cjs, which loads resources/dist/cli/tessera.cjs as it does in
  // a checkout (see main/index.ts and cli/tessera.cjs).
  extraResources: [
    { from: 'build/tray', to: 'tray', filter: ['*.png'] },
    { from: 'cli', to: 'cli', filter: ['tessera.cjs'] },
    // The command and the chunks it loads on demand (cli/build.mjs: exec --azure-identity's server),
    // and the native client where the build machine has Go (cli/native/build.mjs).
    { from: 'dist/cli', to: 'dist/cli', filter: ['tessera.cjs', 'chunk-*.cjs', 'tessera-native'] },
  ],
  asar: true,
  compression: 'normal',
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  },
  linux: {
    target: ['AppImage', 'deb'],
    icon: 'build/icons',
    category: 'Development',
    synopsis: 'Desktop account manager for OAuth 2.0 / OpenID Connect tokens',
    maintainer: 'Tessera contributors <tessera@example.invalid>',
    desktop: {
      entry: {
        Name: 'Tessera',
        Comment: 'Manage OAuth and OpenID Connect accounts and copy their tokens',
        Categories: 'Development;',
        StartupWMClass: 'Tessera',
        Terminal: 'false',
      },
    },
  },
  deb: {
    // safeStorage needs a keyring: without one, tokens stay in memory only.
    recommends: ['gnome-keyring | kwalletmanager'],
  },
  win: {
    target: ['nsis'],
    icon: 'build/icon.png',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
  },
  mac: {
    target: ['dmg'],
    icon: 'build/icon.png',
    category: 'public.app-category.developer-tools',
    hardenedRuntime: true,
  },
  dmg: {
    title: 'Tessera',
  },
};

module.exports = config;
