import { deflateSync } from 'node:zlib';

/**
 * The QR code of step 1 as a `data:image/png;base64,…` URL: error correction M, a quiet zone of
 * 2 modules, 11 pixels a module (a 128-bit code is a version-2 symbol, 29 modules with its
 * margin: 319 × 319 px, the 320 px the Web3Connect document's clients were given). The PNG is written here as
 * a 1-bit grayscale image instead of by qrcode's renderer (8-bit RGBA through pngjs): the same
 * picture at about a twentieth of the CPU (0.3 ms against 5–6 ms, `pnpm bench mixed` measures
 * both) and a quarter of the bytes. qrcode is loaded on the first code, not at start.
 */
export const QR_MODULE_PIXELS = 11;
export const QR_MARGIN_MODULES = 2;

let qrcode: Promise<typeof import('qrcode')> | undefined;

export async function qrCodePngDataUrl(text: string): Promise<string> {
  qrcode ??= import('qrcode').then((m) => (m as { default?: typeof import('qrcode') }).default ?? m);
  const { modules } = (await qrcode).create(text, { errorCorrectionLevel: 'M' });
  return `data:image/png;base64,${encodePng(modules.size, (x, y) => modules.get(y, x) === 1).toString('base64')}`;
}

/** A 1-bit grayscale PNG of a square module matrix (`dark(x, y)`), scaled and with its quiet zone. */
export function encodePng(size: number, dark: (x: number, y: number) => boolean): Buffer {
  const scale = QR_MODULE_PIXELS;
  const modules = size + 2 * QR_MARGIN_MODULES;
  const pixels = modules * scale;
  const rowBytes = Math.ceil(pixels / 8);
  // every scanline: filter byte 0 (none), then the pixels, 1 = white
  const raw = Buffer.alloc((rowBytes + 1) * pixels);
  const row = Buffer.alloc(rowBytes);
  for (let my = 0; my < modules; my++) {
    row.fill(0xff);
    const y = my - QR_MARGIN_MODULES;
    if (y >= 0 && y < size) {
      for (let x = 0; x < size; x++) {
        if (!dark(x, y)) continue;
        for (let p = (x + QR_MARGIN_MODULES) * scale, end = p + scale; p < end; p++) row[p >> 3]! &= ~(0x80 >> (p & 7));
      }
    }
    for (let s = 0; s < scale; s++) row.copy(raw, (my * scale + s) * (rowBytes + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(pixels, 0);
  header.writeUInt32BE(pixels, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale; compression, filter and interlace methods 0
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
