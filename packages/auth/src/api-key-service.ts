import { createHash } from 'node:crypto';
import type { Clock, RandomSource } from '@w3kit/core';
import type { AccountStore } from './account-store.js';
import type { ApiKeyStore } from './api-key-store.js';
import { authErrors } from './errors.js';

/**
 * API key secrets of organizations: 256 random bits, shown once, stored as SHA-256 (a keyed or
 * memory-hard hash adds nothing for a secret this long, and SHA-256 survives master-key
 * rotation). Rotation revokes every earlier secret at once, on every instance, because
 * each use looks the hash up in the database; the sessions (tokens) opened with a revoked
 * secret end with it, because each token's session check reads its key's state too.
 */
export interface ApiKeyService {
  /** Issues a new secret for the organization (earlier ones keep working). */
  issue(organizationId: string): Promise<string>;
  /** Revokes every secret of the organization and issues a new one. */
  rotate(organizationId: string): Promise<string>;
  revokeAll(organizationId: string): Promise<number>;
  /** The key of a secret and its organization; 401 INVALID_API_KEY_SECRET when unknown or revoked. */
  resolve(secret: string): Promise<{ id: string; accountId: string }>;
}

export const SECRET_PREFIX = 'w3ksk_';
const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

export function createApiKeyService(deps: { apiKeyStore: ApiKeyStore; accountStore: AccountStore; clock: Clock; random: RandomSource }): ApiKeyService {
  const { apiKeyStore, accountStore, clock, random } = deps;
  const issue = async (organizationId: string) => {
    const account = await accountStore.findById(organizationId);
    if (!account) throw authErrors.create('ACCOUNT_NOT_FOUND');
    if (account.accountType !== 'organization') throw authErrors.create('ORGANIZATION_ONLY');
    const secret = `${SECRET_PREFIX}${random.token(32)}`;
    await apiKeyStore.insert({ id: random.uuid(), accountId: organizationId, secretHash: hashSecret(secret), createdAt: clock.now() });
    return secret;
  };
  return {
    issue,
    async rotate(organizationId) {
      await apiKeyStore.revokeAll(organizationId, clock.now());
      return issue(organizationId);
    },
    revokeAll: (organizationId) => apiKeyStore.revokeAll(organizationId, clock.now()),
    async resolve(secret) {
      const key = secret.startsWith(SECRET_PREFIX) && secret.length < 200 ? await apiKeyStore.findActive(hashSecret(secret)) : null;
      if (!key) throw authErrors.create('INVALID_API_KEY_SECRET');
      return key;
    },
  };
}
