#!/usr/bin/env node
/**
 * The `tessera` bin: loads the bundled command (dist/cli/tessera.cjs).
 *
 * In a source checkout the bundle is built on first use, and rebuilt when a source file is newer,
 * so `npx tessera` works without a prior build. CommonJS on purpose: it loads faster than an ES
 * module, and this file runs on every call.
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher, on purpose */
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const bundle = join(root, 'dist', 'cli', 'tessera.cjs');

function newestSource() {
  let newest = 0;
  const files = [join(root, 'main', 'bridge', 'endpoint.ts')];
  try {
    for (const name of readdirSync(__dirname)) if (name.endsWith('.ts')) files.push(join(__dirname, name));
    const integrations = join(__dirname, 'integrations');
    for (const name of readdirSync(integrations)) if (name.endsWith('.ts')) files.push(join(integrations, name));
  } catch {
    return 0; // a packaged app ships the bundle only
  }
  for (const file of files) {
    try {
      newest = Math.max(newest, statSync(file).mtimeMs);
    } catch {
      // not shipped
    }
  }
  return newest;
}

function isStale() {
  // One stat for "missing" and "when built"; the whole check costs under a millisecond a call.
  const built = statSync(bundle, { throwIfNoEntry: false });
  return !built || newestSource() > built.mtimeMs;
}

async function run() {
  if (isStale()) {
    process.stderr.write('tessera: building the command (first run)…\n');
    const { buildCli } = await import(join(__dirname, 'build.mjs'));
    await buildCli(root);
  }
  const { main } = require(bundle);
  process.exitCode = await main(process.argv.slice(2));
}

run().catch((error) => {
  process.stderr.write(`tessera: could not start (${error && error.message ? error.message : error}). Run npm install in the checkout.\n`);
  process.exitCode = 1;
});
