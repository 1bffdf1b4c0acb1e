// The baseline: a bare Koa app doing what my_info needs and nothing else: verify the ES256
// JWT with jose against the published key (same algorithm allow-list, issuer and audience),
// read the token's session row (with its API key joined: the revocation check the kit does on
// every authenticated request, the same query), read the account row by id with the same
// driver, answer the same documented JSON body.
import { createDatabase, sql } from '@w3kit/core';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { getAddress } from 'ethers';
import Koa from 'koa';
import { listen } from './listen.js';

const { db } = createDatabase(process.env['DATABASE_URL']!);
const keys = await sql<{ kid: string; alg: string; public_jwk: string }>`select kid, alg, public_jwk from auth_signing_keys where retired_at is null`.execute(db);
// KeyObjects, as the kit uses: jose verifies them with node:crypto directly
const byKid = new Map(keys.rows.map((k) => [k.kid, createPublicKey({ key: JSON.parse(k.public_jwk) as JsonWebKey, format: 'jwk' })] as const));

const app = new Koa();
app.use(async (ctx, next) => {
  if (ctx.method !== 'GET' || ctx.path !== '/rest/v1/account/my_info') return next();
  const token = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1];
  if (!token) {
    ctx.status = 401;
    return;
  }
  const { payload } = await jwtVerify(token, (header) => byKid.get(header.kid!)!, {
    algorithms: ['ES256', 'EdDSA'],
    issuer: 'http://127.0.0.1:3000',
    audience: 'w3kit',
  });
  const session = (
    await sql<{ account_id: string; expires_at: number | string; revoked_at: number | null; api_key_id: string | null; key_id: string | null; key_revoked_at: number | null }>`
      select s.id, s.account_id, s.api_key_id, s.created_at, s.expires_at, s.revoked_at, k.id as key_id, k.revoked_at as key_revoked_at
      from auth_sessions as s left join auth_api_keys as k on k.id = s.api_key_id where s.id = ${payload['sid']}`.execute(db)
  ).rows[0];
  const keyRevoked = session?.api_key_id != null && (session.key_id === null || session.key_revoked_at !== null);
  if (!session || session.account_id !== payload.sub || session.revoked_at !== null || keyRevoked || Number(session.expires_at) <= Date.now()) {
    ctx.status = 401;
    return;
  }
  const row = await sql<Record<string, unknown>>`select * from auth_accounts where id = ${payload.sub}`.execute(db);
  const a = row.rows[0]!;
  const publicKey = Buffer.from(String(a['wallet_public_key']).slice(2), 'hex');
  const claims = (a['claims'] ? JSON.parse(String(a['claims'])) : {}) as Record<string, unknown>;
  const claim = (name: string) => claims[name] ?? null;
  const walletCreated = new Date(Number(a['wallet_created_at'])).toISOString();
  // the same documented body the kit answers, field for field
  ctx.body = {
    status: 'ok',
    result: {
      account_id: a['id'],
      oidc_issuer_url: null,
      sub: a['id'],
      name: a['name'],
      given_name: claim('given_name'),
      family_name: claim('family_name'),
      middle_name: claim('middle_name'),
      nickname: claim('nickname'),
      preferred_username: a['login_id'],
      profile: claim('profile'),
      picture: a['image_url'],
      website: claim('website'),
      email: a['email'],
      email_verified: Boolean(a['email_verified']),
      gender: claim('gender'),
      birthdate: claim('birthdate'),
      zoneinfo: claim('zoneinfo'),
      locale: claim('locale'),
      phone_number: a['phone_number'],
      phone_number_verified: Boolean(a['phone_verified']),
      address: claim('address'),
      account_type: a['account_type'],
      domain: a['domain'],
      domain_verified: Boolean(a['domain_verified']),
      id_wallet: {
        address: getAddress(String(a['wallet_address'])),
        jwk_encrypted: { kty: 'EC', crv: 'secp256k1', x: publicKey.subarray(1, 33).toString('base64url'), y: publicKey.subarray(33).toString('base64url') },
        owner: a['id'],
        created_date_string: walletCreated,
        created_at: walletCreated,
        updated_at: walletCreated,
      },
      created_at: new Date(Number(a['created_at'])).toISOString(),
      updated_at: new Date(Number(a['updated_at'])).toISOString(),
    },
    error: null,
  };
});
listen(app, async () => db.destroy());
