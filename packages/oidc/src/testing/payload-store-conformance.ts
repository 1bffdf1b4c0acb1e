import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { OidcPayloadStore } from '../payload-store.js';

/** One behaviour of the `OidcPayloadStore` contract, checked against an empty store. */
export interface PayloadStoreConformanceCase {
  name: string;
  run(store: OidcPayloadStore): Promise<void>;
}

const T0 = new Date(Date.UTC(2026, 0, 1));
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const id = () => randomBytes(24).toString('base64url');

/** The cases every implementation (Kysely on SQLite and MySQL/MariaDB, memory) must pass. */
export const payloadStoreConformanceCases: readonly PayloadStoreConformanceCase[] = [
  {
    name: 'finds what it stored, by model and id, and nothing under another model',
    async run(store) {
      const code = id();
      await store.upsert('AuthorizationCode', code, { accountId: 'a1', grantId: 'g1', nested: { scope: 'openid' } }, at(60));
      const found = await store.find('AuthorizationCode', code, T0);
      assert.deepEqual(found, { payload: { accountId: 'a1', grantId: 'g1', nested: { scope: 'openid' } }, consumedAt: null, expiresAt: at(60) });
      assert.equal(await store.find('AccessToken', code, T0), null);
      assert.equal(await store.find('AuthorizationCode', id(), T0), null);
    },
  },
  {
    name: 'ids are case-sensitive (two ids that differ only in case are two rows)',
    async run(store) {
      const lower = `abc${id()}`.toLowerCase();
      await store.upsert('Session', lower, { n: 1 }, at(60));
      await store.upsert('Session', lower.toUpperCase(), { n: 2 }, at(60));
      assert.deepEqual((await store.find('Session', lower, T0))?.payload, { n: 1 });
      assert.deepEqual((await store.find('Session', lower.toUpperCase(), T0))?.payload, { n: 2 });
    },
  },
  {
    name: 'an expired row is not found, and purgeExpired deletes exactly the expired rows',
    async run(store) {
      const old = id();
      const fresh = id();
      const forever = id();
      await store.upsert('Interaction', old, { n: 1 }, at(10));
      await store.upsert('Interaction', fresh, { n: 2 }, at(100));
      await store.upsert('Client', forever, { client_id: forever }, null);
      assert.equal(await store.find('Interaction', old, at(10)), null, 'expiry is exclusive: at expires_at it is gone');
      assert.notEqual(await store.find('Interaction', old, at(9)), null);
      assert.equal(await store.purgeExpired(at(50)), 1);
      assert.equal(await store.find('Interaction', old, at(0)), null, 'purged');
      assert.notEqual(await store.find('Interaction', fresh, at(50)), null);
      assert.notEqual(await store.find('Client', forever, at(1e9)), null, 'no expiry: never purged');
    },
  },
  {
    name: 'upsert replaces the payload and the expiry, and keeps the use of a consumed row',
    async run(store) {
      const code = id();
      await store.upsert('AuthorizationCode', code, { v: 1 }, at(60));
      assert.equal(await store.consume('AuthorizationCode', code, at(1)), true);
      await store.upsert('AuthorizationCode', code, { v: 2 }, at(120));
      assert.deepEqual(await store.find('AuthorizationCode', code, at(90)), { payload: { v: 2 }, consumedAt: at(1), expiresAt: at(120) });
    },
  },
  {
    name: 'consume succeeds once: a second use, an unknown id and an expired row answer false',
    async run(store) {
      const code = id();
      await store.upsert('AuthorizationCode', code, {}, at(60));
      assert.equal(await store.consume('AuthorizationCode', code, at(1)), true);
      assert.equal(await store.consume('AuthorizationCode', code, at(2)), false);
      assert.equal((await store.find('AuthorizationCode', code, at(3)))?.consumedAt?.getTime(), at(1).getTime());
      assert.equal(await store.consume('AuthorizationCode', id(), at(1)), false);
      const expired = id();
      await store.upsert('AuthorizationCode', expired, {}, at(10));
      assert.equal(await store.consume('AuthorizationCode', expired, at(10)), false);
    },
  },
  {
    name: 'of ten concurrent consumes of one code exactly one wins',
    async run(store) {
      const code = id();
      await store.upsert('AuthorizationCode', code, {}, at(60));
      const results = await Promise.all(Array.from({ length: 10 }, () => store.consume('AuthorizationCode', code, at(1))));
      assert.equal(results.filter(Boolean).length, 1);
    },
  },
  {
    name: 'revokeByGrantId deletes every code and token of the grant, of any model, and nothing else',
    async run(store) {
      const grant = id();
      const other = id();
      const [code, access, refresh, kept] = [id(), id(), id(), id()];
      await store.upsert('AuthorizationCode', code, { grantId: grant }, at(60));
      await store.upsert('AccessToken', access, { grantId: grant }, at(60));
      await store.upsert('RefreshToken', refresh, { grantId: grant }, at(600));
      await store.upsert('AccessToken', kept, { grantId: other }, at(60));
      assert.equal(await store.revokeByGrantId(grant), 3);
      for (const [model, gone] of [
        ['AuthorizationCode', code],
        ['AccessToken', access],
        ['RefreshToken', refresh],
      ] as const) {
        assert.equal(await store.find(model, gone, T0), null, `${model} revoked`);
      }
      assert.notEqual(await store.find('AccessToken', kept, T0), null);
    },
  },
  {
    name: "revokeByAccountId deletes the account's sessions, grants, codes and tokens, and nothing of another account",
    async run(store) {
      const [account, other] = [id(), id()];
      const mine = [
        ['Session', id()],
        ['Grant', id()],
        ['AuthorizationCode', id()],
        ['AccessToken', id()],
        ['RefreshToken', id()],
      ] as const;
      for (const [model, key] of mine) await store.upsert(model, key, { accountId: account }, at(60));
      const kept = id();
      await store.upsert('Session', kept, { accountId: other }, at(60));
      const client = id();
      await store.upsert('Client', client, { client_id: client }, null);
      assert.equal(await store.revokeByAccountId(account), mine.length);
      for (const [model, key] of mine) assert.equal(await store.find(model, key, T0), null, `${model} revoked`);
      assert.notEqual(await store.find('Session', kept, T0), null, "another account's session stays");
      assert.notEqual(await store.find('Client', client, T0), null, 'clients name no account and stay');
      assert.equal(await store.revokeByAccountId(account), 0);
    },
  },
  {
    name: 'finds a session by uid and a device code by user code; destroy removes a row',
    async run(store) {
      const session = id();
      const uid = id();
      await store.upsert('Session', session, { uid, accountId: 'a1' }, at(60));
      assert.deepEqual((await store.findByUid('Session', uid, T0))?.payload, { uid, accountId: 'a1' });
      assert.equal(await store.findByUid('Session', id(), T0), null);
      assert.equal(await store.findByUid('Session', uid, at(60)), null, 'not once expired');
      const device = id();
      await store.upsert('DeviceCode', device, { userCode: 'ABCD-EFGH' }, at(60));
      assert.deepEqual((await store.findByUserCode('DeviceCode', 'ABCD-EFGH', T0))?.payload, { userCode: 'ABCD-EFGH' });
      await store.destroy('Session', session);
      assert.equal(await store.find('Session', session, T0), null);
      assert.equal(await store.findByUid('Session', uid, T0), null);
    },
  },
  {
    name: 'list answers the live rows of one model',
    async run(store) {
      const [a, b] = [`a${id()}`, `b${id()}`];
      await store.upsert('Client', b, { client_id: b }, null);
      await store.upsert('Client', a, { client_id: a }, null);
      const interaction = id();
      await store.upsert('Interaction', interaction, { client_id: interaction }, at(60));
      // the store may hold other cases' clients: look at ours
      const listed = (await store.list('Client', T0)).map((p) => p.payload['client_id']).filter((c) => c === a || c === b || c === interaction);
      assert.deepEqual(listed, [a, b]);
    },
  },
  {
    name: 'a large payload (a session with many grants) round-trips intact',
    async run(store) {
      const session = id();
      const authorizations = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`client-${i}`, { sid: id(), grantId: id(), persistsLogout: false }]));
      await store.upsert('Session', session, { uid: id(), authorizations, note: 'ünïcødé ✓' }, at(60));
      assert.deepEqual((await store.find('Session', session, T0))?.payload['authorizations'], authorizations);
      assert.equal((await store.find('Session', session, T0))?.payload['note'], 'ünïcødé ✓');
    },
  },
];
