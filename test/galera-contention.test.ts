/**
 * The kit's hot rows under real contention: three standalone server processes, each on its own
 * node of a three-node Galera cluster (the galera test group, `W3KIT_TEST_GALERA=1`), hit the
 * same row from every node at once. Galera certifies a conflicting commit away with error 1213;
 * the kit retries what is safe to repeat (all of these are) and would answer 503 with
 * retry-after for the rest. Never a 5xx here, never a double-apply. Each case prints what it
 * saw: admitted, winners, and the certification conflicts the cluster counted
 * (wsrep_local_cert_failures + wsrep_local_bf_aborts, each a 1213 the kit met and retried away).
 */
import assert from 'node:assert/strict';
import { createTestDatabase, startTwilioStandIn, type TestDatabase, type TwilioStandIn } from '@w3kit/core/testing';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import request from 'supertest';
import { mintBody, openOperator, type Operator } from './deployment-fixtures.js';
import { deploymentEnv, startServerProcess, stopAllServerProcesses, type ServerProcess } from './server-process.js';

const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'twilio-test-token' };
const IDENTITY = '0xc741715D55De72bF12461760BaAF97E0468e7b86';
const OKINAWA = { latitude: '26.583193', longitude: '128.053881' };
const hosts = process.env['W3KIT_GALERA_HOSTS']?.split(',') ?? [];

type Answer = { status: number; body: Record<string, unknown> & { error?: { code?: string } | null; errors?: string[] }; headers: Record<string, string> };

/** Status → how many answers had it. */
function tally(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

/**
 * No 5xx at all: every write on these rows is safe to repeat, so a conflict is retried away
 * (without the kit's statement retry, a one-time code verified 12 times at once answered 503s).
 */
function noServerErrors(answers: Answer[]): void {
  for (const a of answers) assert.ok(a.status < 500, `${a.status} (retry-after ${a.headers['retry-after']}): ${JSON.stringify(a.body)}`);
}

describe('mariadb', () => {
  describe('galera contention: hot rows hit from all three nodes at once', function () {
    this.timeout(120_000);
    let db: TestDatabase | undefined;
    let twilio: TwilioStandIn | undefined;
    let operator: Operator | undefined;
    let sql: Connection | undefined;
    const nodes: Connection[] = [];
    let servers: ServerProcess[] = [];
    const report: string[] = [];

    before(async function () {
      if (hosts.length < 3) return this.skip();
      db = await createTestDatabase('mariadb');
      twilio = await startTwilioStandIn(TWILIO);
      const env = deploymentEnv(db.url, { TWILIO_ACCOUNT_SID: TWILIO.accountSid, TWILIO_AUTH_TOKEN: TWILIO.authToken, TWILIO_FROM: '+15005550006', TWILIO_BASE_URL: twilio.url });
      servers.push(await startServerProcess(env)); // creates the schema
      servers.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
      assert.deepEqual(servers.map((s) => s.galeraNode).sort(), [0, 1, 2], 'one server process per node');
      operator = await openOperator(env);
      sql = await createConnection(db.url);
      for (const host of hosts) {
        const [hostname, port] = host.split(':');
        nodes.push(await createConnection({ host: hostname, port: Number(port), user: 'w3kit', password: 'w3kit' }));
      }
    });
    after(async () => {
      if (report.length > 0) console.log(`galera contention:\n  ${report.join('\n  ')}`);
      await stopAllServerProcesses();
      servers = [];
      await operator?.close();
      await twilio?.close();
      await sql?.end();
      for (const node of nodes) await node.end();
      await db?.drop();
    });

    /** Certification conflicts counted by all nodes so far. */
    async function conflicts(): Promise<number> {
      let total = 0;
      for (const node of nodes) {
        const [rows] = await node.query<RowDataPacket[]>("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')");
        for (const row of rows) total += Number(row['Value']);
      }
      return total;
    }

    /** `n` requests at once, spread over the three servers (request i on server i mod 3); the conflicts they caused. */
    async function fromAllNodes(n: number, send: (server: ServerProcess, i: number) => Promise<Answer>): Promise<{ answers: Answer[]; conflicts: number }> {
      const before = await conflicts();
      const answers = await Promise.all(Array.from({ length: n }, (_, i) => send(servers[i % servers.length]!, i)));
      return { answers, conflicts: (await conflicts()) - before };
    }

    const count = async (query: string, params: unknown[] = []) => Number(((await sql!.query<RowDataPacket[]>(query, params))[0][0] as { n: number }).n);
    const lastSmsCode = (phone: string) =>
      /\b(\d{6})\b/.exec(
        twilio!.received
          .filter((f) => f.get('To') === phone)
          .at(-1)
          ?.get('Body') ?? '',
      )![1]!;

    it('one one-time code consumed from all nodes at once: exactly one winner', async () => {
      const phone = '+14155550101';
      assert.equal((await request(servers[0]!.url).post('/api/attestations/phone/generate-code').send({ phone })).status, 200);
      const code = lastSmsCode(phone);
      const { answers, conflicts: seen } = await fromAllNodes(12, (s) => request(s.url).post('/api/attestations/phone/verify').send({ identity: IDENTITY, phone, code }));
      noServerErrors(answers);
      const won = answers.filter((a) => a.status === 200);
      assert.equal(won.length, 1, JSON.stringify(tally(answers)));
      for (const a of answers.filter((x) => x.status !== 200)) assert.deepEqual([a.status, a.body], [422, { errors: ['The verification code was already used; request a new code.'] }]);
      assert.equal(await count("SELECT COUNT(*) n FROM w3kit_one_time_codes WHERE purpose = 'attestations.phone' AND consumed_at IS NOT NULL"), 1);
      report.push(`one-time code: 12 verifies, winners ${won.length}, answers ${JSON.stringify(tally(answers))}, certification conflicts ${seen}`);
    });

    it('one rate-limit key hit from all nodes at once: exactly the limit admitted', async () => {
      // attestations.send.target: 3 codes per phone per 10 minutes; 8 sends keep the per-client limit (10) out of it
      const phone = '+14155550102';
      const { answers, conflicts: seen } = await fromAllNodes(8, (s) => request(s.url).post('/api/attestations/phone/generate-code').send({ phone }));
      noServerErrors(answers);
      assert.deepEqual(tally(answers), { 200: 3, 429: 5 });
      for (const a of answers.filter((x) => x.status === 429)) {
        assert.ok(Number(a.headers['retry-after']) >= 1);
        assert.ok(Array.isArray(a.body.errors) && a.body.errors.length === 1, JSON.stringify(a.body));
      }
      assert.equal(twilio!.received.filter((f) => f.get('To') === phone).length, 3);
      report.push(`rate limit: 8 sends of one phone (limit 3), admitted 3, answers ${JSON.stringify(tally(answers))}, certification conflicts ${seen}`);
    });

    it('the same Idempotency-Key minted from all nodes at once: one token', async () => {
      const [org, holder] = [await operator!.organization(servers[0]!), await operator!.endUser(servers[1]!)];
      const key = `galera-mint-${Date.now()}`;
      const path = `/rest/v1/nft/mint/to/${holder.address}`;
      const { answers, conflicts: seen } = await fromAllNodes(9, (s) => request(s.url).post(path).set('authorization', org.bearer).set('idempotency-key', key).send(mintBody(7)));
      noServerErrors(answers);
      const minted = new Set(answers.filter((a) => a.status === 200).map((a) => (a.body['result'] as { token_id: string }).token_id));
      for (const a of answers.filter((x) => x.status !== 200)) {
        assert.deepEqual([a.status, a.body.error?.code, a.headers['retry-after']], [409, 'IDEMPOTENCY_IN_PROGRESS', '1']);
      }
      assert.ok(minted.size <= 1, `tokens answered: ${[...minted].join(', ')}`);
      assert.equal(await count('SELECT COUNT(*) n FROM nft_tokens WHERE holder_account_id = ?', [holder.id]), 1);
      assert.equal(await count('SELECT COUNT(*) n FROM nft_idempotency_keys WHERE idempotency_key = ?', [key]), 1);
      report.push(`idempotency key: 9 mints with one key, tokens 1, answers ${JSON.stringify(tally(answers))}, certification conflicts ${seen}`);
    });

    it('one QR code scanned from two nodes at once: one verification', async () => {
      const org = await operator!.organization(servers[0]!);
      const holder = await operator!.endUser(servers[0]!);
      const scanners = [await operator!.endUser(servers[1]!), await operator!.endUser(servers[2]!)];
      const minted = await request(servers[0]!.url).post(`/rest/v1/nft/mint/to/${holder.address}`).set('authorization', org.bearer).send(mintBody(8));
      assert.equal(minted.status, 200, JSON.stringify(minted.body));
      const tokenId = minted.body.result.token_id as string;
      const step1 = await request(servers[0]!.url).post(`/rest/v1/nft/${tokenId}/verification/qr_code/step1`).set('authorization', holder.bearer).send({ gps: OKINAWA });
      const code = step1.body.result.code as string;
      // nodes 2 and 3, three scans each
      const before = await conflicts();
      const answers: Answer[] = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          request(servers[1 + (i % 2)]!.url)
            .post(`/rest/v1/nft/verification/qr_code/step2?c=${encodeURIComponent(code)}`)
            .set('authorization', scanners[i % 2]!.bearer)
            .send({ gps: OKINAWA }),
        ),
      );
      const seen = (await conflicts()) - before;
      noServerErrors(answers);
      const won = answers.filter((a) => a.status === 200);
      assert.equal(won.length, 1, JSON.stringify(tally(answers)));
      assert.deepEqual(won[0]!.body, { status: 'ok', result: { token_id: tokenId }, error: null });
      for (const a of answers.filter((x) => x.status !== 200)) assert.deepEqual([a.status, a.body.error?.code], [422, 'CODE_INVALID']);
      assert.equal(await count('SELECT COUNT(*) n FROM nft_verifications WHERE token_id = ?', [tokenId]), 1);
      report.push(`QR code: 6 scans from nodes 2 and 3, verifications 1, answers ${JSON.stringify(tally(answers))}, certification conflicts ${seen}`);
    });

    it('one app login completed and collected from different nodes: once', async () => {
      const [a, b] = [servers[0]!, servers[1]!];
      const user = await operator!.endUser(b);
      const address = await request(b.url).post('/v2/did/create-address').set('authorization', user.bearer).send({});
      const holder = (await request(a.url).post('/v2/did/create-did').send({ alias: 'wallet', address: address.body.address, secretKey: address.body.secretKey })).body.did as string;
      const credential = await request(b.url)
        .post('/v2/did/create-vc')
        .set('authorization', user.bearer)
        .send({ holder, userInfo: { name: 'Hong' } });
      assert.equal(credential.status, 200, JSON.stringify(credential.body));
      const site = await request(a.url).post('/v2/auth/auth-user-by-app').send({ requestId: 'https://shop.example?', waitTime: 60 });
      const { requestId, resultToken } = site.body as { requestId: string; resultToken: string };
      const verifier = (await request(b.url).get('/v2/did/verifiers')).body[0].did as string;
      const vp = await request(b.url)
        .post('/v2/did/create-vp')
        .send({ holder, credentials: [credential.body], verifier, challenge: requestId, tempKey: address.body.secretKey });
      assert.equal(vp.status, 200, JSON.stringify(vp.body));

      const completed = await fromAllNodes(6, (s) => request(s.url).post('/v2/auth/auth-user-with-vp').send({ requestId, vp: vp.body }));
      noServerErrors(completed.answers);
      assert.equal(completed.answers.filter((x) => x.status === 200).length, 1, JSON.stringify(completed.answers.map((x) => [x.status, x.body])));
      // the others presented a VP whose challenge (the login request) was answered already: a copy that
      // raced the winner is a replay (401), one that arrived after it finds the login completed (400)
      for (const x of completed.answers.filter((y) => y.status !== 200)) {
        assert.ok(
          [JSON.stringify([401, 'PRESENTATION_REJECTED']), JSON.stringify([400, 'LOGIN_REQUEST_COMPLETED'])].includes(JSON.stringify([x.status, x.body['code']])),
          JSON.stringify([x.status, x.body]),
        );
      }

      const collected = await fromAllNodes(6, (s) => request(s.url).post('/v2/auth/auth-user-result-by-app').send({ requestId, resultToken }));
      noServerErrors(collected.answers);
      const tokens = collected.answers.filter((x) => x.status === 200);
      assert.equal(tokens.length, 1, JSON.stringify(collected.answers.map((x) => [x.status, x.body])));
      assert.equal(tokens[0]!.body['userId'], user.loginId);
      for (const x of collected.answers.filter((y) => y.status !== 200)) assert.deepEqual([x.status, x.body['code']], [400, 'LOGIN_RESULT_COLLECTED']);
      report.push(
        `app login: 6 completions, accepted 1, answers ${JSON.stringify(tally(completed.answers))}, conflicts ${completed.conflicts}; ` +
          `6 collections, tokens 1, answers ${JSON.stringify(tally(collected.answers))}, conflicts ${collected.conflicts}`,
      );
    });
  });
});
