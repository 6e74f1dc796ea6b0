import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawIcon, encodePng, FAVICON_SIZES, faviconIco, ICON_FILES } from '../../scripts/make-icons';
import { REPO_ROOT } from './app-copy';

describe('make-icons', () => {
  it('writes valid RGBA PNGs of the declared sizes, identical to the committed ones', () => {
    for (const { path, size } of ICON_FILES) {
      const committed = readFileSync(join(REPO_ROOT, 'build', path));
      expect(committed.subarray(0, 8).toString('hex'), path).toBe('89504e470d0a1a0a');
      expect(committed.readUInt32BE(16), path).toBe(size);
      expect(committed.readUInt32BE(20), path).toBe(size);
      expect(encodePng(size, drawIcon(size)).equals(committed), `${path} is stale: run npm run icons`).toBe(true);
    }
  });

  it('round-trips the pixels through IDAT', () => {
    const size = 16;
    const pixels = drawIcon(size);
    const png = encodePng(size, pixels);
    const idatLength = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(raw.length).toBe((size * 4 + 1) * size);
    expect(raw.subarray(1, 1 + size * 4)).toEqual(Buffer.from(pixels.subarray(0, size * 4)));
  });
});

describe('favicon', () => {
  it('is an ICO of PNG entries, identical to the committed renderer/public/favicon.ico', () => {
    const committed = readFileSync(join(REPO_ROOT, 'renderer', 'public', 'favicon.ico'));
    expect(committed.equals(faviconIco()), 'renderer/public/favicon.ico is stale: run npm run icons').toBe(true);
    expect(committed.readUInt16LE(2)).toBe(1);
    expect(committed.readUInt16LE(4)).toBe(FAVICON_SIZES.length);
    FAVICON_SIZES.forEach((size, index) => {
      const entry = 6 + 16 * index;
      expect(committed[entry]).toBe(size);
      const offset = committed.readUInt32LE(entry + 12);
      expect(committed.subarray(offset, offset + 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(committed.readUInt32BE(offset + 16)).toBe(size);
    });
  });
});
