import { randomBytes } from 'node:crypto';
import { auth, type AuthOptions } from '@w3kit/auth';
import { createKit, createLogger, type CreateKitOptions, type Kit, type KitConfigInput } from '@w3kit/core';

export const MASTER_KEY = randomBytes(32).toString('hex');

/** A kit with the auth plugin on `url`, test-speed password hashing and no background sweeps. */
export function authKit(
  url: string,
  options: AuthOptions = {},
  extra: Omit<Partial<CreateKitOptions>, 'config'> & { config?: Partial<KitConfigInput> } = {},
): Promise<Kit> {
  return createKit({
    database: url,
    plugins: [auth(options)],
    logger: createLogger({ level: 'silent' }),
    ...extra,
    config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'http://127.0.0.1:3000', ...extra.config },
  });
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function createOrganization(kit: Kit, domain = `org-${unique()}.test`) {
  const { account, apiKeySecret } = await kit.services.accountService.createOrganization({ name: 'Acme Corp', domain, email: `ops-${unique()}@${domain}` });
  const { token } = await kit.services.tokenService.issueAccessToken(account);
  return { account, apiKeySecret, token, bearer: `Bearer ${token}` };
}

export async function createEndUser(kit: Kit, password = 'correct horse battery') {
  const loginId = `user-${unique()}`;
  const account = await kit.services.accountService.createEndUser({ loginId, email: `${loginId}@example.com`, password, name: 'Ada', phoneNumber: '+14155550100' });
  const { token } = await kit.services.tokenService.issueAccessToken(account);
  return { account, loginId, password, token, bearer: `Bearer ${token}` };
}
