/**
 * Accounts and request bodies for tests that drive standalone server processes. Accounts are
 * created the way `w3kit org create` / `w3kit user create` create them (the kit's account service,
 * in-process, on the deployment's database with its master key); logging in goes through a server.
 */
import assert from 'node:assert/strict';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type Kit } from '@w3kit/core';
import { sampleStaticMetadata } from '@w3kit/nft/testing';
import request from 'supertest';
import type { ServerProcess } from './server-process.js';

export const PASSWORD = 'correct horse battery staple';

export interface TestAccount {
  id: string;
  /** The ID wallet's address (EIP-55). */
  address: string;
  bearer: string;
}

export interface Operator {
  /** An end user with a password and an ID wallet, logged in through `server` (Finenex password login). */
  endUser(server: ServerProcess): Promise<TestAccount & { loginId: string }>;
  /** An organization with a verified domain, its API key secret exchanged for a token through `server`. */
  organization(server: ServerProcess): Promise<TestAccount>;
  kit: Kit;
  close(): Promise<void>;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** The operator's side of a deployment whose env is `env` (see `deploymentEnv`); its schema must exist. */
export async function openOperator(env: Record<string, string>): Promise<Operator> {
  const kit = await createKit({
    database: env['DATABASE_URL']!,
    plugins: [auth()],
    logger: createLogger({ level: 'silent' }),
    // cost 10 keeps account creation fast; the server rehashes at its own cost on the first login
    config: { masterKey: env['W3KIT_MASTER_KEY']!, publicUrl: env['PUBLIC_URL']!, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, migrations: 'check' },
  });
  return {
    kit,
    async endUser(server) {
      const loginId = `user-${unique()}`;
      const account = await kit.services.accountService.createEndUser({ loginId, email: `${loginId}@example.com`, password: PASSWORD, name: 'Hong' });
      const login = await request(server.url).post('/v2/auth/auth-user').send({ id: loginId, password: PASSWORD });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      return { id: account.id, loginId, address: account.wallet!.address, bearer: `Bearer ${login.body.token as string}` };
    },
    async organization(server) {
      const domain = `org-${unique()}.test`;
      const { account, apiKeySecret } = await kit.services.accountService.createOrganization({ name: 'Acme Corp', domain, email: `ops@${domain}` });
      await kit.services.accountStore.update(account.id, { domainVerified: true }, new Date());
      const token = await request(server.url).post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: apiKeySecret });
      assert.equal(token.status, 200, JSON.stringify(token.body));
      return { id: account.id, address: account.wallet!.address, bearer: `Bearer ${token.body.result as string}` };
    },
    close: () => kit.close(),
  };
}

/** A valid mint body (`serial` tells bodies apart, for idempotency keys). */
export const mintBody = (serial: number) => ({
  metadata: {
    static: sampleStaticMetadata({ serial_number: serial, total_issued: 1000 }),
    dynamic: { category: 'diploma' },
  },
});

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 25 ms until it answers true; rejects after `withinMs`. */
export async function eventually(what: string, check: () => Promise<boolean>, withinMs = 5000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await sleep(25);
  }
}
