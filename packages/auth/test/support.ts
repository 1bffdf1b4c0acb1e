import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { RequestListener, Server } from 'node:http';
import { auth, type AuthOptions } from '@w3kit/auth';
import request from 'supertest';
import { createKit, createLogger, type CreateKitOptions, type EmailMessage, type EmailSender, type Kit, type KitConfigInput } from '@w3kit/core';

export const MASTER_KEY = randomBytes(32).toString('hex');

/** A kit with the auth plugin on `url`, test-speed password hashing and no background sweeps. */
export function authKit(url: string, options: AuthOptions = {}, extra: Omit<Partial<CreateKitOptions>, 'config'> & { config?: Partial<KitConfigInput> } = {}): Promise<Kit> {
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

/** An email sender that keeps what it sends, so a test reads the codes as the recipient would. */
export function emailInbox() {
  const sent: EmailMessage[] = [];
  const sender: EmailSender = {
    development: false,
    async send(message) {
      sent.push(message);
    },
  };
  const to = (address: string) => sent.filter((message) => message.to === address);
  return {
    sent,
    sender,
    to,
    /** The 6-digit code of the newest email to `address`. */
    lastCode(address: string): string {
      const code = /\b(\d{6})\b/.exec(to(address).at(-1)?.text ?? '')?.[1];
      if (!code) throw new Error(`no code was emailed to ${address}`);
      return code;
    },
  };
}
export type EmailInbox = ReturnType<typeof emailInbox>;

/** Verifies the account's email as its owner would: `verify/email/step1`, then step 2 with the emailed code. */
export async function verifyEmailThroughApi(app: RequestListener | Server, bearer: string, inbox: EmailInbox, email: string): Promise<void> {
  const step1 = await request(app).post('/rest/v1/verify/email/step1').set('authorization', bearer);
  assert.equal(step1.status, 200, step1.text);
  const step2 = await request(app)
    .post('/rest/v1/verify/email/step2')
    .set('authorization', bearer)
    .send({ tmp_token: step1.body.result.tmp_token, code: inbox.lastCode(email) });
  assert.deepEqual(step2.body, { status: 'ok', result: true, error: null });
}

/** A Web3Connect error envelope with this status and code (and message, when given); answers `error`. */
export function expectEnvelopeError(res: request.Response, status: number, code: string, message?: string): Record<string, unknown> {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.body), ['status', 'result', 'error']);
  assert.equal(res.body.status, 'error');
  assert.equal(res.body.result, null);
  assert.equal(res.body.error.code, code);
  if (message !== undefined) assert.equal(res.body.error.message, message);
  return res.body.error as Record<string, unknown>;
}
