/**
 * The valid area of an NFT, through QR verification: distances checked against the WGS84
 * geodesic (GeographicLib, a dev dependency used only here), not against the kit's own
 * haversine. The kit measures on a sphere, which differs from the ellipsoid by at most about
 * 0.6 %; so a scanner 1 % inside the radius must be accepted and one 1 % outside refused, at the
 * equator, 45°N and 60°N, east–west and north–south (where a wrong cos(latitude) or sin(Δφ/2)
 * would show).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testDatabases } from '@w3kit/core/testing';
import geographiclib from 'geographiclib-geodesic';
import request from 'supertest';
import { type Actor, endUser, expectError, mint, organization, servedNftKit, staticMetadata } from './support.js';

const WGS84 = geographiclib.Geodesic.WGS84;

interface Point {
  latitude: number;
  longitude: number;
}

/** The point `meters` from `from` along `azimuth` (degrees: 0 north, 90 east) on the WGS84 ellipsoid. */
function travel(from: Point, azimuth: number, meters: number): Point {
  const { lat2, lon2 } = WGS84.Direct(from.latitude, from.longitude, azimuth, meters);
  return { latitude: lat2!, longitude: lon2! };
}

// the refusals name the area (radius, unit, centre) and, for the scanner, its own distance
const HOLDER_OUTSIDE = /^The holder was outside the NFT’s valid area \(the circle of 100 m around -?\d+(\.\d+)?, -?\d+(\.\d+)?\) when the QR code was made\.$/;
const SCANNER_OUTSIDE = /^The scanner is 10[01]\.\d m from the centre of the NFT’s valid area, the circle of 100 m around -?\d+(\.\d+)?, -?\d+(\.\d+)?; scan from inside it\.$/;
const UNREADABLE_AREA = 'The NFT’s valid area cannot be read, so no position is inside it.';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('nft geofence: distances against the WGS84 geodesic', () => {
      const served = servedNftKit(kind);
      let minter: Actor;
      let holder: Actor;
      let scanner: Actor;

      before(async () => {
        [minter, holder] = await Promise.all([organization(served.kit), endUser(served.kit)]);
      });
      // scans are rate limited per scanner account (30 a minute): a new scanner for each test
      beforeEach(async () => {
        scanner = await endUser(served.kit);
      });

      const agent = () => request(served.app.callback());
      // GPS positions go as the Web3Connect document sends them: decimal-degree strings (full double precision)
      const gps = (p: Point) => ({ gps: { latitude: String(p.latitude), longitude: String(p.longitude) } });
      const step1 = (tokenId: string, at: Point) => agent().post(`/rest/v1/nft/${tokenId}/verification/qr_code/step1`).set('authorization', holder.bearer).send(gps(at));
      const step2 = (code: string, at: Point) =>
        agent()
          .post(`/rest/v1/nft/verification/qr_code/step2?c=${encodeURIComponent(code)}`)
          .set('authorization', scanner.bearer)
          .send(gps(at));
      const codeAt = async (tokenId: string, at: Point) => {
        const res = await step1(tokenId, at);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body.result.code as string;
      };
      const area = (centre: Point, radius: number, unit?: string) => ({
        metadata: {
          static: staticMetadata(),
          dynamic: { valid_latitude: String(centre.latitude), valid_longitude: String(centre.longitude), valid_radius: radius, ...(unit ? { unit_of_length: unit } : {}) },
        },
      });

      it('the test’s reference agrees with the published lengths of a degree at the equator (110,574 m north, 111,320 m east)', () => {
        assert.ok(Math.abs(WGS84.Inverse(0, 10, 1, 10).s12! - 110_574) < 1);
        assert.ok(Math.abs(WGS84.Inverse(0, 10, 0, 11).s12! - 111_320) < 1);
      });

      const DIRECTIONS = [
        { name: 'north', azimuth: 0 },
        { name: 'east', azimuth: 90 },
        { name: 'south', azimuth: 180 },
        { name: 'west', azimuth: 270 },
      ];
      for (const latitude of [0, 45, 60]) {
        it(`at ${latitude}°N, a 100 m area accepts a scanner 99 m away and refuses one 101 m away, north, east, south and west`, async () => {
          const centre = { latitude, longitude: 10 };
          const t = await mint(served.app, minter, holder, area(centre, 100));
          for (const { name, azimuth } of DIRECTIONS) {
            const code = await codeAt(t.token_id, centre);
            const outside = await step2(code, travel(centre, azimuth, 101));
            expectError(outside, 422, 'OUTSIDE_VALID_AREA');
            assert.match(outside.body.error.message, SCANNER_OUTSIDE, `101 m ${name}`);
            const inside = await step2(code, travel(centre, azimuth, 99));
            assert.deepEqual(inside.body, { status: 'ok', result: { token_id: t.token_id }, error: null }, `99 m ${name}`);
          }
        });
      }

      it('at 60°N, the holder 101 m east of the centre of a 100 m area is refused, 60 m east accepted', async () => {
        const centre = { latitude: 60, longitude: 10 };
        const t = await mint(served.app, minter, holder, area(centre, 100));
        const far = await step2(await codeAt(t.token_id, travel(centre, 90, 101)), centre);
        expectError(far, 422, 'OUTSIDE_VALID_AREA');
        assert.match(far.body.error.message, HOLDER_OUTSIDE);
        assert.equal((await step2(await codeAt(t.token_id, travel(centre, 90, 60)), travel(centre, 270, 60))).status, 200);
      });

      it('the edges of the coordinate ranges are valid areas (±90°, ±180°), and one there verifies', async () => {
        for (const centre of [
          { latitude: 90, longitude: -180 },
          { latitude: -90, longitude: 180 },
        ]) {
          const t = await mint(served.app, minter, holder, area(centre, 100));
          assert.equal((await step2(await codeAt(t.token_id, centre), centre)).status, 200, JSON.stringify(centre));
        }
      });

      it('400 naming only the missing area fields when just one is given', async () => {
        const res = await agent()
          .post(`/rest/v1/nft/mint/to/${holder.address}`)
          .set('authorization', minter.bearer)
          .send({ metadata: { static: staticMetadata(), dynamic: { valid_longitude: '10' } } });
        expectError(res, 400, 'VALIDATION_FAILED');
        assert.deepEqual(res.body.error.issues, ['metadata.dynamic.valid_latitude: is required with valid_longitude.', 'metadata.dynamic.valid_radius: is required with valid_longitude.']);
      });

      it('at 45°N, a 10 km area (unit "KM", any case as at mint) accepts 9.9 km and refuses 10.1 km, north–south and east–west', async () => {
        const centre = { latitude: 45, longitude: 10 };
        const t = await mint(served.app, minter, holder, area(centre, 10, 'KM'));
        for (const azimuth of [0, 90]) {
          const code = await codeAt(t.token_id, centre);
          expectError(await step2(code, travel(centre, azimuth, 10_100)), 422, 'OUTSIDE_VALID_AREA');
          assert.equal((await step2(code, travel(centre, azimuth, 9_900))).status, 200, `azimuth ${azimuth}`);
        }
      });
    });

    describe('nft geofence: an unreadable valid area fails closed', () => {
      const served = servedNftKit(kind);
      let minter: Actor;
      let holder: Actor;
      let scanner: Actor;

      before(async () => {
        [minter, holder, scanner] = await Promise.all([organization(served.kit), endUser(served.kit), endUser(served.kit)]);
      });

      const agent = () => request(served.app.callback());
      const gps = (p: Point) => ({ gps: { latitude: String(p.latitude), longitude: String(p.longitude) } });
      const verifyAt = async (tokenId: string, at: Point) => {
        const one = await agent().post(`/rest/v1/nft/${tokenId}/verification/qr_code/step1`).set('authorization', holder.bearer).send(gps(at));
        assert.equal(one.status, 200, JSON.stringify(one.body));
        return agent()
          .post(`/rest/v1/nft/verification/qr_code/step2?c=${encodeURIComponent(one.body.result.code)}`)
          .set('authorization', scanner.bearer)
          .send(gps(at));
      };

      /**
       * A token whose dynamic fields mint validation would have refused, as a host's own store, an
       * import or a hand edit could leave it: written straight through the store.
       */
      async function storedWith(dynamic: Record<string, unknown>): Promise<string> {
        const template = await served.kit.services.nftStore.findById((await mint(served.app, minter, holder)).token_id);
        const tokenId = `0x${randomBytes(32).toString('hex')}`;
        await served.kit.services.nftStore.insert({ ...template!, tokenId, metadata: { static: template!.metadata.static, dynamic } });
        return tokenId;
      }

      const CENTRE = { latitude: 60, longitude: 10 };
      const NULL_ISLAND = { latitude: 0, longitude: 0 };
      const UNREADABLE: Record<string, Record<string, unknown>> = {
        'no radius': { valid_latitude: '60', valid_longitude: '10' },
        'a radius that is not a number': { valid_latitude: '60', valid_longitude: '10', valid_radius: 'wide' },
        'a latitude out of range': { valid_latitude: '95', valid_longitude: '10', valid_radius: 100 },
        'a longitude that is not a number': { valid_latitude: '60', valid_longitude: 'east', valid_radius: 100 },
        'a zero radius': { valid_latitude: '60', valid_longitude: '10', valid_radius: 0 },
        'an unknown unit': { valid_latitude: '60', valid_longitude: '10', valid_radius: 100, unit_of_length: 'furlong' },
      };

      for (const [what, dynamic] of Object.entries(UNREADABLE)) {
        it(`${what}: nothing verifies, at the area’s own centre or at 0°, 0°`, async () => {
          const tokenId = await storedWith(dynamic);
          for (const at of [CENTRE, NULL_ISLAND]) {
            const res = await verifyAt(tokenId, at);
            expectError(res, 422, 'OUTSIDE_VALID_AREA');
            assert.equal(res.body.error.message, UNREADABLE_AREA);
          }
        });
      }

      it('the same area, readable, verifies at its centre; area fields all null (a store’s absent columns) restrict nothing', async () => {
        assert.equal((await verifyAt(await storedWith({ valid_latitude: '60', valid_longitude: '10', valid_radius: 100 }), CENTRE)).status, 200);
        const none = await storedWith({ valid_latitude: null, valid_longitude: null, valid_radius: null, unit_of_length: null });
        assert.equal((await verifyAt(none, NULL_ISLAND)).status, 200);
      });
    });
  });
}
