import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { checkClaims, signCompactJws, TokenRejected, verifyCompactJws } from '../src/compact-jws.js';

// The kit's own access-token check (node:crypto one-shot verify) against tokens that jose, a
// third-party library, signs: what jose's jwtVerify accepts it accepts, and it refuses the rest.

const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const NOW = new Date('2026-12-01T12:00:00Z');
const at = (offset: number) => Math.floor(NOW.getTime() / 1000) + offset;
const claims = { iss: 'https://kit.example', aud: 'w3kit', sub: 'acct', sid: 'sess', iat: at(-10), exp: at(600) };
const rules = { issuer: 'https://kit.example', audience: 'w3kit', now: NOW, required: ['sub', 'exp', 'iat', 'sid'] };

const sign = (payload: JWTPayload, alg: 'ES256' | 'EdDSA' = 'ES256', header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg, kid: 'k1', typ: 'JWT', ...header }).sign(alg === 'ES256' ? es.privateKey : ed.privateKey);
const keyOf = (key: KeyObject) => async () => key;

async function rejected(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof TokenRejected && reason.test(error.message));
}

describe('auth compact JWS: the kit verifies its tokens with node:crypto', () => {
  it('ES256 and EdDSA tokens signed by jose verify and answer their payload; the key lookup sees kid and alg', async () => {
    const seen: unknown[] = [];
    const payload = await verifyCompactJws(await sign(claims), async (header) => (seen.push(header), es.publicKey));
    assert.deepEqual(payload, claims);
    assert.deepEqual(seen, [{ alg: 'ES256', kid: 'k1' }]);
    assert.deepEqual(await verifyCompactJws(await sign(claims, 'EdDSA'), keyOf(ed.publicKey)), claims);
  });

  it('what the kit signs, jose verifies (ES256 and EdDSA), with the header and claims as given', async () => {
    for (const [alg, pair] of [
      ['ES256', es],
      ['EdDSA', ed],
    ] as const) {
      const token = await signCompactJws({ alg, kid: 'k1', typ: 'JWT' }, claims, pair.privateKey);
      const { payload, protectedHeader } = await jwtVerify(token, pair.publicKey, { issuer: rules.issuer, audience: rules.audience, currentDate: NOW, algorithms: [alg] });
      assert.deepEqual(payload, claims);
      assert.deepEqual(protectedHeader, { alg, kid: 'k1', typ: 'JWT' });
    }
  });

  it('refuses a token signed by another key, a tampered payload, and a signature with extra characters', async () => {
    await rejected(verifyCompactJws(await sign(claims), keyOf(other.publicKey)), /does not verify/);
    const [h, , s] = (await sign(claims)).split('.');
    await rejected(verifyCompactJws(`${h}.${b64({ ...claims, sub: 'victim' })}.${s}`, keyOf(es.publicKey)), /does not verify/);
    await rejected(verifyCompactJws(`${h}.${b64(claims)}.${s}=`, keyOf(es.publicKey)), /base64url/);
  });

  it('refuses alg none, HS256, RS256, crit and b64 headers, and what is not a compact JWS, before any key lookup', async () => {
    const never = async (): Promise<KeyObject> => assert.fail('no key lookup for a refused header');
    const body = b64(claims);
    await rejected(verifyCompactJws(`${b64({ alg: 'none' })}.${body}.`, never), /algorithm/);
    await rejected(verifyCompactJws(`${b64({ alg: 'HS256', kid: 'k1' })}.${body}.AAAA`, never), /algorithm/);
    await rejected(verifyCompactJws(`${b64({ alg: 'RS256', kid: 'k1' })}.${body}.AAAA`, never), /algorithm/);
    await rejected(verifyCompactJws(`${b64({ alg: 'ES256', kid: 'k1', crit: ['exp'] })}.${body}.AAAA`, never), /header parameter/);
    await rejected(verifyCompactJws(`${b64({ alg: 'ES256', kid: 'k1', b64: false })}.${body}.AAAA`, never), /header parameter/);
    await rejected(verifyCompactJws(`${b64([1])}.${body}.AAAA`, never), /JSON object/);
    await rejected(verifyCompactJws('a.b', never), /compact JWS/);
    await assert.rejects(verifyCompactJws('%%%.b.c', never), SyntaxError);
  });

  it('checks issuer, audience (string or list), expiry, not-before, types and required claims as jose does', () => {
    checkClaims(claims, rules);
    checkClaims({ ...claims, aud: ['other', 'w3kit'] }, rules);
    checkClaims({ ...claims, nbf: at(0) }, rules);
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...claims, iss: 'https://evil.example' }, /issuer/],
      [{ ...claims, aud: 'other' }, /audience/],
      [{ ...claims, aud: ['other'] }, /audience/],
      [{ ...claims, exp: at(0) }, /expired/],
      [{ ...claims, exp: String(at(600)) }, /exp is not a number/],
      [{ ...claims, nbf: at(1) }, /not yet valid/],
      [{ ...claims, iat: 'yesterday' }, /iat is not a number/],
      [{ ...claims, sub: 7 }, /sub is not a string/],
      [(({ sid: _sid, ...rest }) => rest)(claims), /missing sid/],
    ];
    for (const [payload, reason] of refusals)
      assert.throws(
        () => checkClaims(payload, rules),
        (e: unknown) => e instanceof TokenRejected && reason.test(e.message),
        JSON.stringify(payload),
      );
  });
});
