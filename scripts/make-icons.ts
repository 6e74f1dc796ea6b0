/**
 * Draws Tessera's icons and writes them as PNG files into `build/`.
 *
 * Run with `npx tsx scripts/make-icons.ts`. The design is a rounded tile holding a 3×3 mosaic of
 * smaller tiles (a tessera is one mosaic tile), one of them accented. PNG encoding is done here
 * with `node:zlib` (RFC 2083: signature, IHDR, IDAT, IEND, CRC-32 per chunk), so no image
 * library is needed. The output is deterministic; the PNGs are committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

type Rgba = readonly [number, number, number, number];

const BACKGROUND: Rgba = [0x1f, 0x3b, 0x4d, 0xff];
const TILE: Rgba = [0xe8, 0xee, 0xf2, 0xff];
const ACCENT: Rgba = [0x2e, 0xc4, 0xb6, 0xff];

/** Renders the icon at `size`×`size` pixels as RGBA rows. */
export function drawIcon(size: number): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const radius = size * 0.18;
  const margin = size * 0.04;
  const grid = { start: size * 0.2, cell: (size * 0.6) / 3, gap: size * 0.035 };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Sample at the pixel centre; 4×4 supersampling keeps the rounded corners smooth.
      let coverage = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          if (insideRoundedRect(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4, margin, size - margin, radius)) coverage++;
        }
      }
      if (coverage === 0) continue;
      const colour = tileColour(x + 0.5, y + 0.5, grid) ?? BACKGROUND;
      const offset = (y * size + x) * 4;
      pixels[offset] = colour[0];
      pixels[offset + 1] = colour[1];
      pixels[offset + 2] = colour[2];
      pixels[offset + 3] = Math.round((colour[3] * coverage) / 16);
    }
  }
  return pixels;
}

function insideRoundedRect(x: number, y: number, min: number, max: number, radius: number): boolean {
  if (x < min || x > max || y < min || y > max) return false;
  const cx = Math.min(Math.max(x, min + radius), max - radius);
  const cy = Math.min(Math.max(y, min + radius), max - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function tileColour(x: number, y: number, grid: { start: number; cell: number; gap: number }): Rgba | undefined {
  const column = Math.floor((x - grid.start) / grid.cell);
  const row = Math.floor((y - grid.start) / grid.cell);
  if (column < 0 || column > 2 || row < 0 || row > 2) return undefined;
  const inCellX = x - grid.start - column * grid.cell;
  const inCellY = y - grid.start - row * grid.cell;
  const half = grid.gap / 2;
  if (inCellX < half || inCellX > grid.cell - half || inCellY < half || inCellY > grid.cell - half) return undefined;
  return row === 1 && column === 1 ? ACCENT : TILE;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return out;
}

/** Encodes RGBA pixels as a PNG (8-bit RGBA, no interlace, filter 0 on every row). */
export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const stride = size * 4;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Files written by {@link writeIcons}, relative to `build/`. */
export const ICON_FILES: ReadonlyArray<{ readonly path: string; readonly size: number }> = [
  { path: 'icon.png', size: 512 },
  { path: 'icons/512x512.png', size: 512 },
  { path: 'icons/256x256.png', size: 256 },
  { path: 'tray/tray.png', size: 32 },
  { path: 'tray/tray@2x.png', size: 64 },
];

/** Sizes inside the renderer's `favicon.ico` (tab, bookmarks, high-DPI tab). */
export const FAVICON_SIZES: readonly number[] = [16, 32, 48];

/**
 * Encodes PNG images as one ICO file: ICONDIR, one ICONDIRENTRY per image, then the PNGs, which
 * ICO allows as entries since Windows Vista and every browser reads.
 */
export function encodeIco(images: ReadonlyArray<{ readonly size: number; readonly png: Buffer }>): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, index) => {
    const entry = 6 + 16 * index;
    header[entry] = size >= 256 ? 0 : size; // 0 means 256
    header[entry + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.png)]);
}

/** The renderer's favicon (browser mode serves it at `/favicon.ico`). */
export function faviconIco(): Buffer {
  return encodeIco(FAVICON_SIZES.map((size) => ({ size, png: encodePng(size, drawIcon(size)) })));
}

/** Writes every icon into `buildDir`, and the favicon into `rendererPublicDir` when given. */
export function writeIcons(buildDir: string, rendererPublicDir?: string): void {
  for (const { path, size } of ICON_FILES) {
    const target = join(buildDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, encodePng(size, drawIcon(size)));
  }
  if (rendererPublicDir) {
    mkdirSync(rendererPublicDir, { recursive: true });
    writeFileSync(join(rendererPublicDir, 'favicon.ico'), faviconIco());
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  writeIcons(join(root, 'build'), join(root, 'renderer', 'public'));
  console.log(`Wrote ${ICON_FILES.length} icons to ${join(root, 'build')} and favicon.ico to ${join(root, 'renderer', 'public')}`);
}
