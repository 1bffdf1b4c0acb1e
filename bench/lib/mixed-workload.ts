// The mixed workload: virtual users play the kit's everyday journeys (password logins, my_info,
// NFT mints with an Idempotency-Key and their retries, NFT lists and fetches, QR verifications,
// phone attestations) against one or more instances on one database, for a fixed time. Every
// answer is checked (status and body), every acknowledged write goes into a ledger, and
// `verifyLedger` counts the rows afterwards: nothing acknowledged may be missing, nothing
// unacknowledged may be there. Used by bench/mixed.bench.ts and test/load-smoke.test.ts.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';

export interface Organization {
  id: string;
  address: string;
  token: string;
}

export interface EndUser {
  id: string;
  loginId: string;
  password: string;
  address: string;
  /** Replaced by every login, so later requests carry the token the kit just issued. */
  token: string;
  /** Tokens minted to this user and acknowledged, oldest first. */
  tokens: string[];
}

export interface Actors {
  organizations: Organization[];
  users: EndUser[];
}

/** A mint the kit answered, with what a retry needs (key, body) and the token it made. */
export interface AcknowledgedMint {
  key: string;
  organization: Organization;
  holder: EndUser;
  body: string;
  tokenId: string;
  /** Base URL of the instance that answered. */
  answeredBy: string;
}

/** Acknowledged writes: what the database must hold afterwards, no more and no less. */
export interface Ledger {
  mints: AcknowledgedMint[];
  /** QR codes made (step 1 answered). */
  qrCodes: number;
  /** Token id → verifications acknowledged (step 2 answered with the token). */
  verifications: Map<string, number>;
  /** Phone codes sent (generate-code answered). */
  phoneCodes: number;
  /** Phone claims issued (verify answered with a signed claim). */
  phoneClaims: number;
}

export const newLedger = (): Ledger => ({ mints: [], qrCodes: 0, verifications: new Map(), phoneCodes: 0, phoneClaims: 0 });

/** The journeys a virtual user picks from, by weight. */
export const SCENARIOS = ['login', 'my_info', 'held_by', 'minted_by_me', 'fetch', 'mint', 'mint_retry', 'mint_race', 'qr', 'attest'] as const;
export type Scenario = (typeof SCENARIOS)[number];
export type Mix = Record<Scenario, number>;

/**
 * Weights of the journeys (qr is 3 requests, attest and mint_race 2, the others 1). Reads
 * dominate, as in a real deployment; a login (~75 ms of scrypt at cost 15) is 1 pick in 91,
 * about 1 request in 110.
 */
export const DEFAULT_MIX: Mix = { login: 1, my_info: 30, held_by: 15, minted_by_me: 5, fetch: 15, mint: 10, mint_retry: 2, mint_race: 1, qr: 6, attest: 6 };

/** `my_info=30,mint=10` → DEFAULT_MIX with those weights replaced. */
export function parseMix(text: string | undefined): Mix {
  const mix = { ...DEFAULT_MIX };
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    if (!SCENARIOS.includes(name as Scenario) || !/^\d+$/.test(value ?? '')) {
      throw new TypeError(`mix: "${part}" is not <scenario>=<integer weight>; scenarios: ${SCENARIOS.join(', ')}`);
    }
    mix[name as Scenario] = Number(value);
  }
  if (Object.values(mix).every((w) => w === 0)) throw new TypeError('mix: every weight is 0');
  return mix;
}

/** Reads the code the kit sent by SMS to a phone number (from the Twilio stand-in). */
export type SmsInbox = (phone: string) => string | undefined;

export interface WorkloadOptions {
  /** Base URLs of the instances; each request goes to one of them at random. */
  urls: string[];
  actors: Actors;
  ledger: Ledger;
  sms: SmsInbox;
  /** Phone numbers used so far (each attestation takes a fresh one); shared across phases. */
  phones: { next: number };
  durationSeconds: number;
  /** Virtual users, each with one request in flight. */
  connections: number;
  mix: Mix;
}

export interface OperationStats {
  requests: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface PhaseResult {
  instances: number;
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Racing mints answered 409 IDEMPOTENCY_IN_PROGRESS (a documented answer, not an error). */
  raceConflicts: number;
  operations: Record<string, OperationStats>;
  /** The first few errors, to say what went wrong. */
  errorSamples: string[];
  /** Errors by the status answered (`network` when none was), e.g. 503s while a database node fails over. */
  errorStatuses: Record<string, number>;
  /** The slowest request, in ms (no request hangs). */
  maxMs: number;
  /** Requests answered by each instance (base URL → count), for its CPU per request. */
  requestsByInstance: Record<string, number>;
}

interface Reply {
  status: number;
  body: unknown;
}

interface Instance {
  url: string;
  port: number;
  agent: Agent;
}

/** A failed request or a wrong answer; aborts the journey it happened in. */
class WorkloadError extends Error {}

function send(instance: Instance, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: instance.port,
        method,
        path,
        agent: instance.agent,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: text });
          }
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!);
const round1 = (n: number) => Math.round(n * 10) / 10;
const pickFrom = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const sameAddress = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/** The result of a Web3Connect envelope `{status, result, error}`. */
const result = (reply: Reply) => (reply.body as { result?: unknown } | null)?.result;

// Half the mints carry a valid area (Tokyo station, 1 km); QR positions lie inside it.
const AREA = { valid_latitude: '35.681236', valid_longitude: '139.767125', valid_radius: 1, unit_of_length: 'km' };
const INSIDE = { latitude: '35.6820', longitude: '139.7680' };

function mintBody(serial: number): string {
  return JSON.stringify({
    metadata: {
      static: {
        issuer: 'Mixed Bench',
        contents_provider: 'Mixed Bench',
        name: `Pass ${serial}`,
        description: 'Minted by the mixed-workload benchmark.',
        image: 'https://bench.test/pass.png',
        link: 'https://bench.test',
        serial_number: serial,
        total_issued: 1_000_000,
        animation_url: 'https://bench.test/pass.mp4',
      },
      dynamic: { category: 'pass', brand: `brand-${serial % 20}`, points_earned: serial % 100, ...(serial % 2 === 0 ? AREA : {}) },
    },
    visibility: serial % 3 === 0 ? 'public' : 'private',
  });
}

/** Runs the workload for `durationSeconds`, then lets journeys in flight finish. */
export async function runWorkload(options: WorkloadOptions): Promise<PhaseResult> {
  const { actors, ledger, mix } = options;
  const instances: Instance[] = options.urls.map((url) => ({
    url,
    port: Number(new URL(url).port),
    // fifo: every socket stays busy, so none idles into the server's keep-alive timeout and
    // gets reused just as the server closes it (a reset that would be the harness's fault)
    agent: new Agent({ keepAlive: true, maxSockets: options.connections, scheduling: 'fifo' }),
  }));
  const latencies = new Map<string, number[]>();
  const errors = new Map<string, number>();
  const errorSamples: string[] = [];
  const errorStatuses: Record<string, number> = {};
  const requestsByInstance: Record<string, number> = {};
  const countStatus = (status: string) => (errorStatuses[status] = (errorStatuses[status] ?? 0) + 1);
  const weights = SCENARIOS.map((s) => mix[s]);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const holders = () => actors.users.filter((u) => u.tokens.length > 0);
  let serial = ledger.mints.length;
  let raceConflicts = 0;

  const anyInstance = () => pickFrom(instances);
  const otherInstance = (than: Instance) => (instances.length === 1 ? than : pickFrom(instances.filter((i) => i !== than)));

  /** One timed request; answers the body when the status is `expected`, else records an error. */
  async function call(operation: string, instance: Instance, method: string, path: string, headers: Record<string, string>, body?: string, expected: number[] = [200]): Promise<Reply> {
    const started = performance.now();
    let reply: Reply;
    try {
      reply = await send(instance, method, path, headers, body);
    } catch (error) {
      countStatus('network');
      throw fail(operation, `${method} ${path}: ${(error as Error).message}`);
    }
    if (!latencies.has(operation)) latencies.set(operation, []);
    latencies.get(operation)!.push(performance.now() - started);
    requestsByInstance[instance.url] = (requestsByInstance[instance.url] ?? 0) + 1;
    if (!expected.includes(reply.status)) countStatus(String(reply.status));
    if (!expected.includes(reply.status)) throw fail(operation, `${method} ${path}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
    return reply;
  }

  function fail(operation: string, message: string): WorkloadError {
    errors.set(operation, (errors.get(operation) ?? 0) + 1);
    if (errorSamples.length < 20) errorSamples.push(`${operation}: ${message}`);
    return new WorkloadError(message);
  }

  /** A wrong answer to a request that succeeded (the request itself is already timed). */
  function check(operation: string, ok: boolean, what: string): void {
    if (!ok) throw fail(operation, what);
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function mint(): Promise<void> {
    const organization = pickFrom(actors.organizations);
    const holder = pickFrom(actors.users);
    const key = randomUUID();
    const body = mintBody(serial++);
    const instance = anyInstance();
    const reply = await call('mint', instance, 'POST', `/rest/v1/nft/mint/to/${holder.address}`, { ...bearer(organization.token), 'idempotency-key': key }, body);
    const token = result(reply) as { token_id?: string; holder_id_wallet_address?: string };
    check('mint', typeof token?.token_id === 'string' && sameAddress(token.holder_id_wallet_address, holder.address), `mint answered ${JSON.stringify(reply.body).slice(0, 200)}`);
    ledger.mints.push({ key, organization, holder, body, tokenId: token.token_id!, answeredBy: instance.url });
    holder.tokens.push(token.token_id!);
  }

  const journeys: Record<Scenario, () => Promise<void>> = {
    async login() {
      const user = pickFrom(actors.users);
      const reply = await call('login', anyInstance(), 'POST', '/v2/auth/auth-user', {}, JSON.stringify({ id: user.loginId, password: user.password }));
      const login = reply.body as { token?: string; userId?: string };
      check('login', typeof login.token === 'string' && login.userId === user.loginId, `login answered ${JSON.stringify(login).slice(0, 200)}`);
      user.token = login.token!;
    },
    async my_info() {
      const user = pickFrom(actors.users);
      const reply = await call('my_info', anyInstance(), 'GET', '/rest/v1/account/my_info', bearer(user.token));
      const info = result(reply) as { account_id?: string; id_wallet?: { address?: string } };
      check('my_info', info?.account_id === user.id, `my_info of ${user.id} answered ${JSON.stringify(reply.body).slice(0, 200)}`);
    },
    async held_by() {
      const candidates = holders();
      if (candidates.length === 0) return mint();
      const user = pickFrom(candidates);
      const reply = await call('held_by', anyInstance(), 'GET', `/rest/v1/nft/held_by_id_wallet/${user.address}?perPageItemNum=10&order=desc`, bearer(user.token));
      const page = result(reply) as { holder_id_wallet_address: string }[];
      check(
        'held_by',
        Array.isArray(page) && page.length > 0 && page.every((t) => sameAddress(t.holder_id_wallet_address, user.address)),
        `held_by of a holder answered ${JSON.stringify(reply.body).slice(0, 200)}`,
      );
    },
    async minted_by_me() {
      const organization = pickFrom(actors.organizations);
      const reply = await call('minted_by_me', anyInstance(), 'GET', '/rest/v1/nft/minted_by_me?perPageItemNum=10&order=desc', bearer(organization.token));
      const page = result(reply) as { minter_id_wallet_address: string }[];
      check(
        'minted_by_me',
        Array.isArray(page) && page.every((t) => sameAddress(t.minter_id_wallet_address, organization.address)),
        `minted_by_me answered ${JSON.stringify(reply.body).slice(0, 200)}`,
      );
    },
    async fetch() {
      const candidates = holders();
      if (candidates.length === 0) return mint();
      const user = pickFrom(candidates);
      // the newest token: acknowledged on one instance, read back on any (read-your-writes across instances)
      const tokenId = user.tokens[user.tokens.length - 1]!;
      const reply = await call('fetch', anyInstance(), 'GET', `/rest/v1/nft/${tokenId}`, bearer(user.token));
      const token = result(reply) as { token_id?: string };
      check('fetch', token?.token_id === tokenId, `fetch of ${tokenId} answered ${JSON.stringify(reply.body).slice(0, 200)}`);
    },
    mint,
    async mint_retry() {
      // a client that lost the first answer retries on another instance: same key, same body, same token
      if (ledger.mints.length === 0) return mint();
      const first = pickFrom(ledger.mints);
      const firstInstance = instances.find((i) => i.url === first.answeredBy) ?? anyInstance();
      const reply = await call(
        'mint_retry',
        otherInstance(firstInstance),
        'POST',
        `/rest/v1/nft/mint/to/${first.holder.address}`,
        { ...bearer(first.organization.token), 'idempotency-key': first.key },
        first.body,
      );
      const token = result(reply) as { token_id?: string };
      check('mint_retry', token?.token_id === first.tokenId, `retry of ${first.key} answered ${token?.token_id}, first ${first.tokenId}`);
    },
    async mint_race() {
      // a client that timed out and retried at once: the same mint reaches both instances together;
      // one mints, the other answers the same token or 409 IDEMPOTENCY_IN_PROGRESS, never a second token
      const organization = pickFrom(actors.organizations);
      const holder = pickFrom(actors.users);
      const key = randomUUID();
      const body = mintBody(serial++);
      const headers = { ...bearer(organization.token), 'idempotency-key': key };
      const pair = instances.length > 1 ? instances.slice(0, 2) : [instances[0]!, instances[0]!];
      const replies = await Promise.all(pair.map((i) => call('mint_race', i, 'POST', `/rest/v1/nft/mint/to/${holder.address}`, headers, body, [200, 409])));
      const tokens = new Set(replies.filter((r) => r.status === 200).map((r) => (result(r) as { token_id?: string })?.token_id));
      const refusals = replies.filter((r) => r.status === 409).map((r) => (r.body as { error?: { code?: string } }).error?.code);
      check(
        'mint_race',
        tokens.size === 1 && !tokens.has(undefined) && refusals.every((c) => c === 'IDEMPOTENCY_IN_PROGRESS'),
        `racing mints answered ${replies.map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 120)}`).join(' / ')}`,
      );
      raceConflicts += refusals.length;
      const tokenId = [...tokens][0]!;
      ledger.mints.push({ key, organization, holder, body, tokenId, answeredBy: pair[replies.findIndex((r) => r.status === 200)]!.url });
      holder.tokens.push(tokenId);
    },
    async qr() {
      const candidates = holders();
      if (candidates.length === 0) return mint();
      const holder = pickFrom(candidates);
      const scanner = pickFrom(actors.users.filter((u) => u !== holder));
      const tokenId = pickFrom(holder.tokens);
      const gps = JSON.stringify({ gps: INSIDE });
      const step1 = await call('qr_step1', anyInstance(), 'POST', `/rest/v1/nft/${tokenId}/verification/qr_code/step1`, bearer(holder.token), gps);
      const code = (result(step1) as { code?: string; qr_code_base64?: string })?.code;
      check('qr_step1', typeof code === 'string', `step1 answered ${JSON.stringify(step1.body).slice(0, 200)}`);
      ledger.qrCodes++;
      const c = encodeURIComponent(code!);
      const step2 = await call('qr_step2', anyInstance(), 'POST', `/rest/v1/nft/verification/qr_code/step2?c=${c}`, bearer(scanner.token), gps);
      check('qr_step2', (result(step2) as { token_id?: string })?.token_id === tokenId, `step2 answered ${JSON.stringify(step2.body).slice(0, 200)}`);
      ledger.verifications.set(tokenId, (ledger.verifications.get(tokenId) ?? 0) + 1);
      const polled = await call('qr_result', anyInstance(), 'GET', `/rest/v1/nft/verification/qr_code/result?c=${c}`, bearer(holder.token));
      check('qr_result', (result(polled) as { token_id?: string })?.token_id === tokenId, `result answered ${JSON.stringify(polled.body).slice(0, 200)}`);
    },
    async attest() {
      const user = pickFrom(actors.users);
      // a fresh valid US number each time: +1 415 200-0000 and up
      const phone = `+1415${2_000_000 + options.phones.next++}`;
      await call('attest_generate', anyInstance(), 'POST', '/api/attestations/phone/generate-code', {}, JSON.stringify({ phone }));
      ledger.phoneCodes++;
      const code = options.sms(phone);
      check('attest_generate', code !== undefined, `no SMS reached ${phone}`);
      const reply = await call('attest_verify', anyInstance(), 'POST', '/api/attestations/phone/verify', {}, JSON.stringify({ identity: user.address, phone, code }));
      const claim = reply.body as { 'claim-type'?: number; signature?: string; data?: string };
      check(
        'attest_verify',
        claim['claim-type'] === 10 && /^0x[0-9a-f]{130}$/.test(claim.signature ?? '') && claim.data === 'phone verified',
        `verify answered ${JSON.stringify(claim).slice(0, 200)}`,
      );
      ledger.phoneClaims++;
    },
  };

  function pickScenario(): Scenario {
    let r = Math.random() * totalWeight;
    for (let i = 0; i < SCENARIOS.length; i++) {
      r -= weights[i]!;
      if (r < 0) return SCENARIOS[i]!;
    }
    return SCENARIOS[SCENARIOS.length - 1]!;
  }

  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        try {
          await journeys[pickScenario()]();
        } catch (error) {
          if (!(error instanceof WorkloadError)) throw error;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const instance of instances) instance.agent.destroy();

  const operations: Record<string, OperationStats> = {};
  const all: number[] = [];
  const names = [...new Set([...latencies.keys(), ...errors.keys()])].sort();
  for (const name of names) {
    const sorted = (latencies.get(name) ?? []).sort((a, b) => a - b);
    all.push(...sorted);
    operations[name] = {
      requests: sorted.length,
      errors: errors.get(name) ?? 0,
      perSecond: round1(sorted.length / seconds),
      p50Ms: round1(percentile(sorted, 50)),
      p99Ms: round1(percentile(sorted, 99)),
    };
  }
  all.sort((a, b) => a - b);
  return {
    instances: instances.length,
    connections: options.connections,
    seconds: round1(seconds),
    requests: all.length,
    requestsPerSecond: Math.round(all.length / seconds),
    p50Ms: round1(percentile(all, 50)),
    p99Ms: round1(percentile(all, 99)),
    errors: [...errors.values()].reduce((a, b) => a + b, 0),
    raceConflicts,
    operations,
    errorSamples,
    errorStatuses,
    maxMs: round1(all.at(-1) ?? 0),
    requestsByInstance,
  };
}

export interface LedgerCheck {
  what: string;
  acknowledged: number;
  /** Acknowledged but not in the database. */
  lost: number;
  /** In the database but never acknowledged. */
  extra: number;
}

/** Counts the rows behind every acknowledged write (MariaDB), and the SMS the stand-in received. */
/** Plain SQL reads on the run's database, MariaDB or PostgreSQL (the ledger's queries are the same on both). */
async function openLedgerReader(databaseUrl: string): Promise<{ rows(query: string): Promise<Record<string, unknown>[]>; end(): Promise<void> }> {
  const url = new URL(databaseUrl);
  url.search = '';
  if (url.protocol.startsWith('postgres')) {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return { rows: async (query) => (await client.query<Record<string, unknown>>(query)).rows, end: () => client.end() };
  }
  const { createConnection } = await import('mysql2/promise');
  const connection = await createConnection(url.toString());
  return { rows: async (query) => (await connection.query(query))[0] as Record<string, unknown>[], end: () => connection.end() };
}

export async function verifyLedger(databaseUrl: string, ledger: Ledger, smsReceived: number): Promise<LedgerCheck[]> {
  const db = await openLedgerReader(databaseUrl);
  const rows = db.rows;
  const count = async (query: string) => Number((await rows(query))[0]!['n']);
  /** Lost = acknowledged minus stored; extra = stored minus acknowledged (exact for sets, by difference for counts). */
  const counted = (what: string, acknowledged: number, stored: number): LedgerCheck => ({ what, acknowledged, lost: Math.max(0, acknowledged - stored), extra: Math.max(0, stored - acknowledged) });
  try {
    const minted = new Set(ledger.mints.map((m) => m.tokenId));
    const mintKeys = new Set(ledger.mints.map((m) => m.key));
    const stored = new Set((await rows('SELECT token_id FROM nft_tokens')).map((r) => String(r['token_id'])));
    const keys = new Map((await rows('SELECT idempotency_key, token_id FROM nft_idempotency_keys')).map((r) => [String(r['idempotency_key']), String(r['token_id'])]));
    const verified = new Map((await rows('SELECT token_id, COUNT(*) AS n FROM nft_verifications GROUP BY token_id')).map((r) => [String(r['token_id']), Number(r['n'])]));
    const verificationsAcknowledged = [...ledger.verifications.values()].reduce((a, b) => a + b, 0);
    const lostVerifications = [...ledger.verifications].reduce((n, [token, times]) => n + Math.max(0, times - (verified.get(token) ?? 0)), 0);
    const extraVerifications = [...verified].reduce((n, [token, times]) => n + Math.max(0, times - (ledger.verifications.get(token) ?? 0)), 0);
    return [
      { what: 'mints → nft_tokens rows', acknowledged: minted.size, lost: [...minted].filter((t) => !stored.has(t)).length, extra: [...stored].filter((t) => !minted.has(t)).length },
      {
        what: 'mint keys → nft_idempotency_keys (same token)',
        acknowledged: ledger.mints.length,
        lost: ledger.mints.filter((m) => keys.get(m.key) !== m.tokenId).length,
        extra: [...keys.keys()].filter((key) => !mintKeys.has(key)).length,
      },
      counted('QR step 1 → nft_qr_codes rows', ledger.qrCodes, await count('SELECT COUNT(*) AS n FROM nft_qr_codes')),
      counted('QR step 2 → codes claimed', verificationsAcknowledged, await count('SELECT COUNT(*) AS n FROM nft_qr_codes WHERE verified_at IS NOT NULL')),
      { what: 'QR step 2 → nft_verifications rows (per token)', acknowledged: verificationsAcknowledged, lost: lostVerifications, extra: extraVerifications },
      counted('phone codes sent → SMS received by the stand-in', ledger.phoneCodes, smsReceived),
      counted('phone codes sent → one-time code rows', ledger.phoneCodes, await count("SELECT COUNT(*) AS n FROM w3kit_one_time_codes WHERE purpose = 'attestations.phone'")),
      counted('phone claims → codes consumed', ledger.phoneClaims, await count("SELECT COUNT(*) AS n FROM w3kit_one_time_codes WHERE purpose = 'attestations.phone' AND consumed_at IS NOT NULL")),
    ];
  } finally {
    await db.end();
  }
}

/** The phases' results and the ledger checks as a text table. */
export function formatPhase(label: string, phase: PhaseResult): string {
  const lines = [
    `${label}: ${phase.requestsPerSecond} req/s over ${phase.seconds} s (${phase.instances} instance${phase.instances === 1 ? '' : 's'}, ${phase.connections} connections), p50 ${phase.p50Ms} ms, p99 ${phase.p99Ms} ms, errors ${phase.errors} (racing mints answered 409 in progress: ${phase.raceConflicts})`,
  ];
  for (const [name, op] of Object.entries(phase.operations)) {
    lines.push(`  ${name.padEnd(16)} ${String(op.perSecond).padStart(7)} req/s   p50 ${String(op.p50Ms).padStart(6)} ms   p99 ${String(op.p99Ms).padStart(6)} ms   errors ${op.errors}`);
  }
  for (const sample of phase.errorSamples) lines.push(`  ! ${sample}`);
  return lines.join('\n');
}
