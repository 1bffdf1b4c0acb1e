import type { Clock } from '@w3kit/core';
import type { Adapter, AdapterPayload, errors } from 'oidc-provider';
import type { OidcPayloadStore, StoredPayload } from './payload-store.js';

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The provider's view of a stored row: its payload, with `consumed` when it was used. */
function toAdapterPayload(stored: StoredPayload | null): AdapterPayload | undefined {
  if (!stored) return undefined;
  const payload = stored.payload as AdapterPayload;
  return stored.consumedAt ? { ...payload, consumed: epochSeconds(stored.consumedAt) } : payload;
}

/**
 * node-oidc-provider's `adapter` option: one adapter per model, all over one `OidcPayloadStore`
 * (the kit's database), so every instance sees every session, code and token.
 */
export function payloadAdapterFactory(store: OidcPayloadStore, clock: Clock, InvalidGrant: typeof errors.InvalidGrant): (model: string) => Adapter {
  return (model) => ({
    async upsert(id, payload, expiresIn) {
      const expiresAt = typeof expiresIn === 'number' ? new Date(clock.now().getTime() + expiresIn * 1000) : null;
      await store.upsert(model, id, payload, expiresAt);
    },
    async find(id) {
      return toAdapterPayload(await store.find(model, id, clock.now()));
    },
    async findByUid(uid) {
      return toAdapterPayload(await store.findByUid(model, uid, clock.now()));
    },
    async findByUserCode(userCode) {
      return toAdapterPayload(await store.findByUserCode(model, userCode, clock.now()));
    },
    async consume(id) {
      // The provider reads a code, checks it is unused, then consumes it: two token requests
      // racing with one code would both pass the check. The store's conditional write lets one
      // win; the loser is answered as a replay, and (as the provider does for a replay it sees)
      // the grant's tokens are revoked.
      if (await store.consume(model, id, clock.now())) return;
      const grantId = (await store.find(model, id, clock.now()))?.payload['grantId'];
      if (typeof grantId === 'string') await store.revokeByGrantId(grantId);
      throw new InvalidGrant(`${model === 'RefreshToken' ? 'refresh token' : 'grant'} already used`);
    },
    async destroy(id) {
      await store.destroy(model, id);
    },
    async revokeByGrantId(grantId) {
      await store.revokeByGrantId(grantId);
    },
  });
}
