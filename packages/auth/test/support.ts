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

/** The order of P-256: (r, n − s) verifies wherever (r, s) does. */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** The same ES256 token with its signature's s replaced by n − s: a valid ECDSA signature of the same bytes. */
export function highSTwin(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const raw = Buffer.from(signature, 'base64url');
  const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
  const flipped = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([raw.subarray(0, 32), flipped]).toString('base64url')}`;
}
