import type { OidcPayloadStore, StoredPayload } from './payload-store.js';

interface Row extends StoredPayload {
  grantId: string | null;
  uid: string | null;
  accountId: string | null;
  userCode: string | null;
}

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** An in-process `OidcPayloadStore`, for tests and single-process hosts (not shared between instances). */
export function createMemoryPayloadStore(): OidcPayloadStore {
  const rows = new Map<string, Row>();
  const key = (model: string, id: string) => `${model}\0${id}`;
  const live = (row: Row | undefined, now: Date) => (row && (row.expiresAt === null || row.expiresAt > now) ? row : undefined);
  const view = (row: Row | undefined): StoredPayload | null => (row ? { payload: structuredClone(row.payload), consumedAt: row.consumedAt, expiresAt: row.expiresAt } : null);
  const findBy = (model: string, field: 'uid' | 'userCode', value: string, now: Date) =>
    view([...rows.entries()].find(([k, row]) => k.startsWith(`${model}\0`) && row[field] === value && live(row, now))?.[1]);

  return {
    async upsert(model, id, payload, expiresAt) {
      const previous = rows.get(key(model, id));
      rows.set(key(model, id), {
        payload: structuredClone(payload),
        consumedAt: previous?.consumedAt ?? null,
        expiresAt,
        grantId: text(payload['grantId']),
        uid: text(payload['uid']),
        accountId: text(payload['accountId']),
        userCode: text(payload['userCode']),
      });
    },
    async find(model, id, now) {
      return view(live(rows.get(key(model, id)), now));
    },
    async findByUid(model, uid, now) {
      return findBy(model, 'uid', uid, now);
    },
    async findByUserCode(model, userCode, now) {
      return findBy(model, 'userCode', userCode, now);
    },
    async consume(model, id, at) {
      const row = live(rows.get(key(model, id)), at);
      if (!row || row.consumedAt) return false;
      row.consumedAt = at;
      return true;
    },
    async destroy(model, id) {
      rows.delete(key(model, id));
    },
    async revokeByGrantId(grantId) {
      let count = 0;
      for (const [k, row] of rows) if (row.grantId === grantId && rows.delete(k)) count++;
      return count;
    },
    async revokeByAccountId(accountId) {
      let count = 0;
      for (const [k, row] of rows) if (row.accountId === accountId && rows.delete(k)) count++;
      return count;
    },
    async list(model, now) {
      return [...rows.entries()]
        .filter(([k, row]) => k.startsWith(`${model}\0`) && live(row, now))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, row]) => view(row)!);
    },
    async purgeExpired(now) {
      let count = 0;
      for (const [k, row] of rows) if (!live(row, now) && rows.delete(k)) count++;
      return count;
    },
  };
}
