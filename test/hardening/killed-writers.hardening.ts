/**
 * Disk faults, the long case: writers killed with SIGKILL ×200 in the middle of their writes. A
 * file of its own so that it runs beside the other hardening files.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, onTestFinished } from 'vitest';
import { claimDataFolder } from '../../main/instance/data-folder-lock';
import { EncryptedCacheStore } from '../../main/persistence/encrypted-cache-store';
import { KeyFileCipher } from '../../main/persistence/key-file-cipher';
import { ConfStore } from '../../main/persistence/settings-store';
import { useTempDirs } from '../support/temp-dirs';
import { hardeningCase } from './harness';
import { bundleFixture, startNode, type Child } from './support/processes';

const tempDir = useTempDirs('hardening-kill');

describe('kill -9 of a writer', () => {
  let writer = '';
  beforeAll(async () => {
    // The writer never signs in: the auth core it reaches through the redactor is left out.
    writer = await bundleFixture('store-writer', tempDir(), { unusedDropped: /[\\/]main[\\/]auth[\\/]|[\\/]node_modules[\\/](undici|jose)[\\/]/ });
  });

  hardeningCase(
    'disk faults',
    'kill -9 of a writer ×200 (settings + encrypted cache): every acknowledged write survives, the next start recovers the lock and removes only dead temp files',
    async (t) => {
      const lanes = 4;
      const killsPerLane = 50;
      let interrupted = 0;
      const running = new Set<Child>();
      let stopped = false;
      // Also after a time-out, when the lanes below are abandoned: no writer may outlive the case.
      onTestFinished(async () => {
        stopped = true;
        for (const child of running) child.process.kill('SIGKILL');
        await Promise.all([...running].map((child) => child.exited));
      });
      try {
        await Promise.all(
          Array.from({ length: lanes }, async () => {
            const dir = join(tempDir(), 'data');
            let previous: { pid: number; acked: number } | undefined;
            for (let kill = 0; kill < killsPerLane && !stopped; kill += 1) {
              const child = startNode(writer, [dir]);
              running.add(child);
              void child.exited.then(() => running.delete(child));
              const owner = await child.waitForLine(/^owner /);
              const found = Object.fromEntries(owner.slice(6).split(' ').map((pair) => pair.split('=') as [string, string]));
              if (previous) {
                // The killed writer's lock was recovered, and nothing it acknowledged was lost.
                expect(Number(found.recovered)).toBe(previous.pid);
                const settings = Number(found.settings);
                const cache = Number(found.cache);
                if (!(settings >= previous.acked) || !(cache >= previous.acked)) t.lost();
                expect(settings).toBeGreaterThanOrEqual(previous.acked);
                expect(cache).toBeGreaterThanOrEqual(previous.acked);
                interrupted += Number(found.removed);
              }
              expect(Number(found.temps)).toBe(0);
              await child.waitForLine(/^ack /);
              await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 15)));
              child.process.kill('SIGKILL');
              const exit = await child.exited;
              if (exit.signal !== 'SIGKILL') t.crashed();
              expect(exit.signal).toBe('SIGKILL');
              t.tried();
              const acks = child.lines.filter((line) => line.startsWith('ack ')).map((line) => Number(line.slice(4)));
              previous = { pid: child.pid, acked: Math.max(...acks) };
            }
            // The last kill: this process is the next start.
            const claim = claimDataFolder(dir, { app: 'hardening-check' });
            expect(claim.kind).toBe('acquired');
            if (claim.kind !== 'acquired') return;
            interrupted += claim.removedTempFiles.length;
            const settings = Number(new ConfStore(join(dir, 'settings.json')).get('counter'));
            let cached = -1;
            const cache = new EncryptedCacheStore(new ConfStore(join(dir, 'token-cache.json')), new KeyFileCipher(join(dir, 'token-cache.key')), {
              allowWeakEncryption: false,
              backupDir: join(dir, 'backups'),
            });
            cache.load((text) => {
              cached = (JSON.parse(text) as { counter: number }).counter;
            });
            if (!(settings >= previous!.acked) || !(cached >= previous!.acked)) t.lost();
            expect(settings).toBeGreaterThanOrEqual(previous!.acked);
            expect(cached).toBeGreaterThanOrEqual(previous!.acked);
            expect(readdirSync(dir).filter((name) => /\.tmp|\.new$/.test(name))).toEqual([]);
            claim.lock.release();
          }),
        );
      } finally {
        // A failed or timed-out run must not leave writers behind (nor their folders).
        for (const child of running) child.process.kill('SIGKILL');
        await Promise.all([...running].map((child) => child.exited));
      }
      console.log(`kill -9: ${t.tally.tried} kills, ${interrupted} interrupted a write (their temp files removed by the next start)`);
      expect(interrupted).toBeGreaterThan(0);
    },
    // 200 process starts: a few seconds on an idle machine, much more on a shared one.
    { timeout: 300_000 },
  );
});
