// Issue 13: the VC-API's rules live in the credential service, and its store answers with a
// result, never a SQL error. The service is called directly here (no route in between), and a
// custom in-memory credential store stands in for the Kysely one.
import assert from 'node:assert/strict';
import { isKitError, type Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import type { CredentialStore, IssuedCredentialRecord } from '@w3kit/did';
import { appFor, createOrganization, createUser, didKit, poster, type TestApp } from './support.js';

type Json = Record<string, unknown>;

const V2 = 'https://www.w3.org/ns/credentials/v2';
const UNDEFINED_TERMS = 'https://www.w3.org/ns/credentials/undefined-terms/v2';
const credential = (extra: Json = {}): Json => ({ '@context': [V2, UNDEFINED_TERMS], type: ['VerifiableCredential'], credentialSubject: { id: 'did:example:hong', name: 'Hong' }, ...extra });

/** An in-memory credential store whose first `refusals` inserts answer "taken", as a store losing a race to another instance would. */
function racingMemoryStore(refusals: number) {
  const records = new Map<string, IssuedCredentialRecord>();
  const refused: IssuedCredentialRecord[] = [];
  const store: CredentialStore = {
    async insert(c) {
      const taken = [...records.values()].some((r) => r.id === c.id || (r.statusListId === c.statusListId && r.statusIndex === c.statusIndex));
      if (taken || refused.length < refusals) {
        refused.push(c);
        return false;
      }
      records.set(c.id, { ...c });
      return true;
    },
    find: async (id) => records.get(id) ?? null,
    findByStatusEntry: async (listId, index) => [...records.values()].find((r) => r.statusListId === listId && r.statusIndex === index) ?? null,
    async revoke(id, at) {
      const record = records.get(id);
      if (!record || record.revokedAt) return false;
      record.revokedAt = at;
      return true;
    },
    revokedEntries: async (listId) => [...records.values()].filter((r) => r.statusListId === listId && r.revokedAt).map((r) => r.statusIndex),
  };
  return { store, records, refused };
}

const kitCode = async (work: Promise<unknown>): Promise<string> => {
  try {
    await work;
  } catch (error) {
    if (isKitError(error)) return error.code;
    throw error;
  }
  return 'no error';
};

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('did service rules: the credential service owns them (issue 13)', () => {
      let db: TestDatabase;
      let kit: Kit;
      let app: TestApp;
      const memory = racingMemoryStore(2);

      before(async () => {
        db = await createTestDatabase(kind);
        kit = await didKit(db.url, {}, { services: { credentialStore: memory.store } });
        app = appFor(kit).callback();
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });

      it('a custom store that answers "entry taken" twice: the service draws again and records the credential under its third entry', async () => {
        const org = await createOrganization(kit);
        const issued = await poster(app)('/credentials/issue', { credential: credential() }, org.bearer);
        assert.equal(issued.status, 201, JSON.stringify(issued.body));
        assert.equal(memory.refused.length, 2);
        const vc = issued.body.verifiableCredential as Json;
        const entry = vc['credentialStatus'] as { statusListIndex: string };
        const record = memory.records.get(vc['id'] as string);
        assert.ok(record, 'the credential is recorded in the custom store');
        assert.equal(record.statusIndex, Number(entry.statusListIndex), 'the signed entry is the recorded one');
        assert.ok(!memory.refused.some((r) => r.statusIndex === record.statusIndex && r.statusListId === record.statusListId), 'not an entry the store refused');
      });

      it('a concurrent issue of the same caller-chosen id that the store refuses is a 409 CONFLICT, not a 500', async () => {
        const org = await createOrganization(kit);
        const first = await poster(app)('/credentials/issue', { credential: credential({ id: 'urn:example:race-1' }) }, org.bearer);
        assert.equal(first.status, 201);
        // the service's own look-up missed it (the other instance's insert was not committed yet): the store refuses the id
        const find = memory.store.find;
        let calls = 0;
        memory.store.find = async (id) => (calls++ === 0 ? null : find(id));
        try {
          const second = await poster(app)('/credentials/issue', { credential: credential({ id: 'urn:example:race-1' }) }, org.bearer);
          assert.equal(second.status, 409);
          assert.equal(second.body.code, 'CONFLICT');
          assert.equal(second.body.message, 'A credential with this id was already issued.');
        } finally {
          memory.store.find = find;
        }
      });

      it('issue: an end user is refused by the service itself (ORGANIZATION_ONLY), and so is a type without VerifiableCredential', async () => {
        const user = await createUser(kit);
        const endUser = { accountId: user.account.id, accountType: 'end_user' as const };
        assert.equal(await kitCode(kit.services.credentialService.issue(endUser, { credential: credential() })), 'ORGANIZATION_ONLY');
        const org = await createOrganization(kit);
        const principal = { accountId: org.account.id, accountType: 'organization' as const };
        assert.equal(await kitCode(kit.services.credentialService.issue(principal, { credential: credential({ type: ['Diploma'] }) })), 'VALIDATION_FAILED');
      });

      it('setRevocationStatus: a revocation is final in the service (UNREVOKE_NOT_ALLOWED), true revokes', async () => {
        const org = await createOrganization(kit);
        const principal = { accountId: org.account.id, accountType: 'organization' as const };
        const vc = await kit.services.credentialService.issue(principal, { credential: credential() });
        const credentialId = vc['id'] as string;
        assert.equal(await kitCode(kit.services.credentialService.setRevocationStatus(principal, { credentialId, revoked: false })), 'UNREVOKE_NOT_ALLOWED');
        assert.equal(memory.records.get(credentialId)?.revokedAt, null);
        const revoked = await kit.services.credentialService.setRevocationStatus(principal, { credentialId, revoked: true });
        assert.equal(revoked.revoked, true);
        assert.ok(memory.records.get(credentialId)?.revokedAt instanceof Date);
        assert.equal(await kitCode(kit.services.credentialService.setRevocationStatus(principal, { credentialId, revoked: false })), 'UNREVOKE_NOT_ALLOWED');
      });
    });
  });
}
