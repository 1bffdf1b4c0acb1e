import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appFor, createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import type { Kit } from '@w3kit/core';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import request from 'supertest';
import { qrCodePngDataUrl } from '../src/qr-png.js';
import { endUser, mint, nftKit, organization, type Actor } from './support.js';

const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ?? jsQRModule) as unknown as typeof jsQRModule.default;

function pngOf(dataUrl: string) {
  assert.match(dataUrl, /^data:image\/png;base64,/);
  const bytes = Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
  // IHDR right after the 8-byte signature: width, height, bit depth, color type
  return { bytes, width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), bitDepth: bytes[24], colorType: bytes[25], image: PNG.sync.read(bytes) };
}

const decode = (png: ReturnType<typeof pngOf>) => jsQR(new Uint8ClampedArray(png.image.data), png.image.width, png.image.height)?.data ?? null;

describe('nft qr-png: the fast step-1 QR encoder', () => {
  it('every 128-bit code becomes a 319 px, 1-bit grayscale PNG that decodes to exactly the code', async () => {
    for (let i = 0; i < 40; i++) {
      const code = randomBytes(16).toString('base64url');
      const png = pngOf(await qrCodePngDataUrl(code));
      assert.deepEqual([png.width, png.height, png.bitDepth, png.colorType], [319, 319, 1, 0]);
      assert.equal(decode(png), code);
    }
  });

  it('the quiet zone is white and the finder pattern dark, module for module', async () => {
    const png = pngOf(await qrCodePngDataUrl('x'));
    const gray = (x: number, y: number) => png.image.data[(y * png.image.width + x) * 4]!;
    assert.equal(gray(0, 0), 255); // margin
    assert.equal(gray(21, 21), 255); // still margin: 2 modules of 11 px
    assert.equal(gray(22, 22), 0); // the top-left finder's corner
    assert.equal(gray(32, 32), 0); // its first module's last pixel
  });

  for (const kind of testDatabases()) {
    describe(`nft qr-png: step 1 over HTTP (${kind})`, () => {
      let db: TestDatabase;
      let kit: Kit;
      let minter: Actor;
      let holder: Actor;
      before(async () => {
        db = await createTestDatabase(kind);
        kit = await nftKit(db.url);
        [minter, holder] = await Promise.all([organization(kit), endUser(kit)]);
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });

      it("step 1 answers the fast encoder's PNG, which decodes to the code in the envelope", async () => {
        const app = appFor(kit);
        const token = await mint(app, minter, holder);
        const res = await request(app.callback())
          .post(`/rest/v1/nft/${token.token_id}/verification/qr_code/step1`)
          .set('authorization', holder.bearer)
          .send({ gps: { latitude: '26.583193', longitude: '128.053881' } });
        assert.equal(res.status, 200);
        assert.equal(res.body.status, 'ok');
        const png = pngOf(res.body.result.qr_code_base64);
        assert.deepEqual([png.width, png.bitDepth, png.colorType], [319, 1, 0]);
        assert.equal(decode(png), res.body.result.code);
      });
    });
  }
});
