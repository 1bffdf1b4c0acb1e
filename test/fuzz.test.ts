import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { pageUrlOf } from '../packages/auth/test/association-support.js';
import { mint, staticMetadata } from '../packages/nft/test/support.js';
import { endUserWithLogin, rowCounts, startFullKit, verifiedOrganization, type FullKit } from './full-kit.js';
import { answerProblem, describeRequest, hostileRequests, operationsOf, send, type Fixtures, type Operation } from './hostile-requests.js';

/**
 * Hostile-input fuzzing of every endpoint of the full kit (all four plugins, enumerated from
 * the OpenAPI document, so a new endpoint is fuzzed without touching this file), through a
 * real listening server. For each malformed request: never a 5xx, an error body in the
 * route's wire format, and no row written when the request was refused. After each endpoint's
 * batch the server still answers /healthz and no error reached the app.
 *
 * Reproducible: FUZZ_SEED (default below) and FUZZ_RUNS (requests per endpoint) pick the run;
 * each endpoint's stream derives from the seed and its own name, so adding an endpoint
 * changes no other endpoint's requests. A failure is reported as the request that failed (no
 * shrinking: the server keeps state between requests). FUZZ_STATS=1 prints, per endpoint, how
 * many answers had each status and error code — how deep the requests got.
 */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20260107);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 80);

/**
 * The one table a refused request may add rows to: rate-limit counters. A hit is counted
 * before the limited work decides (a wrong API key secret or password still counts toward its
 * limit, and refused hits count too), so a counter row for a new key is the limit doing its job.
 * Every other table — accounts, keys, codes, tickets, NFTs, DIDs, credentials, login requests,
 * flows — must keep its row count when the answer is 4xx.
 */
const MAY_CHANGE_WHEN_REFUSED = new Set(['w3kit_rate_limits']);

/** FNV-1a of the operation's name: its own seed offset. */
function seedOf(key: string): number {
  let hash = 0x811c9dc5;
  for (const c of key) hash = Math.imul(hash ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return (SEED + hash) | 0;
}

console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} (requests per endpoint)`);

describe('hostile-input fuzzing of every endpoint', () => {
  for (const kind of testDatabases()) {
    describe(kind, function () {
      this.timeout(120_000);
      let db: TestDatabase;
      let full: FullKit;
      let fixtures: Fixtures;
      let operations: Operation[] = [];
      let requests = 0;
      const stats = new Map<string, number>();

      before(async () => {
        db = await createTestDatabase(kind);
        full = await startFullKit(db.url, { rateLimit: 1_000_000 });
        const org = await verifiedOrganization(full.kit);
        const holder = await endUserWithLogin(full.kit);
        const publicNft = await mint(full.app, org, holder, { visibility: 'public' });
        const privateNft = await mint(full.app, org, holder, { visibility: 'private' });
        // a live association ticket, for the association page's `token`
        const button = await request(full.url)
          .post('/rest/v1/auth/account/association/generate_web3connect_button_js')
          .send({ api_key_secret: org.apiKeySecret, redirect_url: `https://${org.domain}/back` });
        const pageTicket = new URL(pageUrlOf(button.body.result as string)).searchParams.get('token')!;
        fixtures = {
          params: {
            address: [holder.address, org.address],
            holder_id_wallet_address: [holder.address],
            token_id: [publicNft.token_id, privateNft.token_id],
          },
          fields: {
            api_key_secret: [org.apiKeySecret],
            redirect_url: [`https://${org.domain}/back?user=1`],
            email: [holder.email, 'ada@example.com'],
            phone: ['+14155550100', '4155550100'],
            phone_number: ['+14155550100'],
            country_calling_code: ['1', 1],
            identity: [holder.address],
            id: [holder.loginId],
            password: [holder.password],
            token: [holder.token],
            metadata: [{ static: staticMetadata(), dynamic: { category: 'diploma', brand: 'acme' } }],
            holder: [`did:ethr:${holder.address.toLowerCase()}`],
            address: [holder.address],
            requestId: ['https://shop.test/login?'],
            gps: [{ latitude: '35.6586', longitude: '139.7454' }],
            to: ['public', 'private'],
            userInfo: [{ name: 'Ada', age: 36 }],
            code: ['123456'],
          },
          query: { token: [pageTicket] },
          bearers: [org.bearer, holder.bearer],
        };
        operations = operationsOf(full.kit.openapi());
      });

      after(async () => {
        console.log(`fuzz ${kind}: ${requests} hostile requests to ${operations.length} endpoints`);
        if (process.env['FUZZ_STATS']) for (const [key, n] of [...stats].sort()) console.log(`${String(n).padStart(5)} ${key}`);
        await full?.close();
        await db?.drop();
      });

      it('enumerates every endpoint of the plugins from the OpenAPI document', () => {
        const served = full.kit.routes.map((route) => route.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/(.)\/$/, '$1'));
        assert.deepEqual(operations.map((op) => op.key.replace(/(.)\/$/, '$1')).sort(), served.sort());
        for (const prefix of ['/rest/v1/auth/', '/rest/v1/nft/', '/api/attestations/', '/v2/did/', '/v2/auth/', '/credentials/', '/oidc/']) {
          assert.ok(
            operations.some((op) => op.template.startsWith(prefix)),
            `no endpoint under ${prefix}`,
          );
        }
        assert.ok(
          operations.every((op) => ['web3connect', 'origin', 'finenex', 'oauth'].includes(op.format)),
          'every operation names its wire format',
        );
      });

      // The endpoints come from the kit itself, so they are known only once it runs: one test walks
      // them all and names every endpoint that failed.
      it('every endpoint survives hostile requests', async function () {
        this.timeout(90_000);
        const failures: string[] = [];
        // a logout ends the fixtures' sessions: walk those endpoints last, so every other one sees live tokens
        const endsSession = (op: Operation) => /\/(logout|access_token\/revoke)$/.test(op.template);
        for (const op of [...operations].sort((x, y) => Number(endsSession(x)) - Number(endsSession(y)))) {
          let previous = await rowCounts(full.kit);
          try {
            await fc.assert(
              fc.asyncProperty(hostileRequests(op, fixtures), async (req) => {
                requests++;
                const res = await send(full.url, req);
                if (process.env['FUZZ_STATS']) {
                  const code = res.status >= 400 ? (/"code":"([A-Z_0-9]+)"/.exec(res.text)?.[1] ?? res.text.slice(0, 40)) : '';
                  const key = `${op.key} ${res.status} ${code}`;
                  stats.set(key, (stats.get(key) ?? 0) + 1);
                }
                const problem = answerProblem(op, res);
                const counts = await rowCounts(full.kit);
                const written = res.status >= 400 ? Object.keys(counts).filter((t) => counts[t] !== previous[t] && !MAY_CHANGE_WHEN_REFUSED.has(t)) : [];
                previous = counts;
                if (problem) assert.fail(`${problem}: ${res.status} ${res.contentType} ${res.text.slice(0, 300)}\n${describeRequest(req)}`);
                if (written.length > 0) assert.fail(`refused with ${res.status} but rows were written to ${written.join(', ')}\n${describeRequest(req)}`);
              }),
              { seed: seedOf(op.key), numRuns: RUNS, endOnFailure: true },
            );
          } catch (error) {
            // fast-check's message holds the failing request (described) and its seed and path
            const { message, cause } = error as Error & { cause?: Error };
            failures.push(`${op.key}: ${(cause?.message ?? '').slice(0, 1500)}\n${message.split('\n').slice(0, 2).join('\n')}`);
          }
          const health = await request(full.url).get('/healthz');
          assert.deepEqual([health.status, health.body], [200, { status: 'ok' }], `/healthz after ${op.key}`);
          if (full.appErrors.length > 0) failures.push(`${op.key}: errors reached the app: ${full.appErrors.splice(0).map(String).join('; ')}`);
        }
        assert.deepEqual(failures, []);
      });
    });
  }
});
