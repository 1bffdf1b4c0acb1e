import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { EnvelopeEncryption } from '../crypto/envelope-encryption.js';
import type { CoreTables } from '../database/core-migrations.js';
import { compileOnce } from '../database/compile-once.js';
import type { DatabaseHandle } from '../database/create-database.js';
import type { RandomSource } from '../random.js';

/** What the secret looks like: a short numeric code a person types, or an opaque token. */
export type SecretShape = { kind: 'digits'; length: number } | { kind: 'token'; bytes: number };

export interface IssueCodeInput<T> {
  /** Namespaces codes (`auth.phone`, `attestations.email`); at most 64 characters. */
  purpose: string;
  /** Whom the code is for (an email, a phone number); stored only as a keyed hash. */
  subject?: string;
  /** Default: 6 digits. */
  shape?: SecretShape;
  ttlSeconds: number;
  /** Tries allowed (right or wrong) before the code is dead. Default 5. */
  maxAttempts?: number;
  /** Data handed back on a successful consume (JSON-serializable). */
  data?: T;
  /** Delete the subject's earlier live codes of this purpose, so only the newest works. */
  supersede?: boolean;
}

export interface IssuedCode {
  /** Opaque public handle of this code (e.g. the Web3Connect document's `tmp_token`). */
  handle: string;
  /** The secret to deliver; never stored, only its keyed hash. */
  secret: string;
  expiresAt: Date;
}

/** Locates the code being consumed: by its handle, by its subject's newest code, or by the secret alone (tokens). */
export type CodeLocator = { handle: string } | { subject: string } | { bySecret: true };

export type ConsumeFailure = 'not_found' | 'expired' | 'invalid' | 'exhausted' | 'consumed';

export type ConsumeResult<T> = { ok: true; handle: string; data: T } | { ok: false; reason: ConsumeFailure; attemptsLeft: number };

export interface PeekResult<T> {
  handle: string;
  data: T;
  expiresAt: Date;
}

/**
 * One-time codes and tokens with a TTL, hashed at rest, consumed atomically, with a bounded
 * number of tries. Every try takes one attempt slot in a single conditional UPDATE, which also
 * claims the code when the secret is right, so even a flood of parallel guesses compares at
 * most `maxAttempts` of them and two concurrent uses cannot both win. On SQLite and PostgreSQL
 * that UPDATE (RETURNING the row) is the whole try; MySQL reads the row first.
 */
export interface OneTimeCodes {
  issue<T = null>(input: IssueCodeInput<T>): Promise<IssuedCode>;
  consume<T = null>(purpose: string, locator: CodeLocator, secret: string): Promise<ConsumeResult<T>>;
  /** Looks a live token up by its secret without consuming it (e.g. to render a page first). */
  peek<T = null>(purpose: string, secret: string): Promise<PeekResult<T> | null>;
  /** Kills every live code of the subject for this purpose. */
  revoke(purpose: string, subject: string): Promise<void>;
  /** Deletes codes that expired more than `retentionSeconds` ago (default 0). */
  purgeExpired(retentionSeconds?: number): Promise<number>;
}

export interface OneTimeCodesDeps {
  database: DatabaseHandle;
  clock: Clock;
  random: RandomSource;
  encryption: EnvelopeEncryption;
}

type Row = CoreTables['w3kit_one_time_codes'];
type LocatorKind = 'handle' | 'subject' | 'bySecret';
const LOCATOR_COLUMNS = { handle: 'id', subject: 'subject_hash', bySecret: 'secret_hash' } as const;

export function createOneTimeCodes({ database, clock, random, encryption }: OneTimeCodesDeps): OneTimeCodes {
  const db = database.db.withTables<CoreTables>();
  const hashSecret = (purpose: string, secret: string) => encryption.digest('one-time-code', `${purpose}\0${secret}`);
  const hashSubject = (purpose: string, subject: string) => encryption.digest('one-time-subject', `${purpose}\0${subject}`);
  const now = () => clock.now().getTime();
  const parseData = <T>(row: Pick<Row, 'data'>) => (row.data === null ? null : JSON.parse(row.data)) as T;

  function failure(row: Row, at: number): ConsumeFailure | null {
    if (row.consumed_at !== null) return 'consumed';
    if (Number(row.expires_at) <= at) return 'expired';
    if (row.attempts >= row.max_attempts) return 'exhausted';
    return null;
  }

  /** The value a locator finds its code by: the handle, the subject's keyed hash, or the secret's. */
  const keyOf = (purpose: string, locator: CodeLocator, secretHash: string) => ('handle' in locator ? locator.handle : 'subject' in locator ? hashSubject(purpose, locator.subject) : secretHash);
  const kindOf = (locator: CodeLocator): LocatorKind => ('handle' in locator ? 'handle' : 'subject' in locator ? 'subject' : 'bySecret');

  /** The code a locator names (the newest, when a subject has several), as a query to select from. */
  function locate(kind: LocatorKind, purpose: string, key: string) {
    return db.selectFrom('w3kit_one_time_codes').where('purpose', '=', purpose).where(LOCATOR_COLUMNS[kind], '=', key).orderBy('created_at', 'desc').orderBy('id').limit(1);
  }

  // The statements of a try, built and compiled by Kysely once per locator kind (compileOnce):
  // a code's try is the hot path of every verification, and building the query cost more CPU than running it.
  const perKind = <T>(make: (kind: LocatorKind) => T) => ({ handle: make('handle'), subject: make('subject'), bySecret: make('bySecret') });
  const selectCode = perKind((kind) => compileOnce<'purpose' | 'key', Row>((slot) => locate(kind, slot('purpose'), slot('key')).selectAll()));
  // One round trip: the attempt slot and, when the secret is right, the claim, in one conditional
  // UPDATE of the located row, which answers the row (RETURNING). The secret is compared in SQL
  // here: both sides are keyed hashes (HMAC under the master key), so the time the comparison
  // takes says nothing an attacker can turn into a guess, and every try has already paid its
  // slot. Two right answers at once: the second finds the row consumed and updates nothing.
  // (MySQL and MariaDB have no UPDATE … RETURNING: see consume.)
  const takeSlotReturning = perKind((kind) =>
    compileOnce<'purpose' | 'key' | 'given' | 'at', Row>((slot) =>
      db
        .updateTable('w3kit_one_time_codes')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          // a value, not Kysely's default for a number in THEN (spliced into the SQL text, which made
          // every try a new statement to compile); cast, so PostgreSQL does not take it for text
          consumed_at: eb
            .case()
            .when('secret_hash', '=', slot<string>('given'))
            .then(eb.cast<number>(eb.val(slot<number>('at')), 'bigint'))
            .else(null)
            .end(),
        }))
        .where('id', '=', locate(kind, slot('purpose'), slot('key')).select('id'))
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', slot<number>('at'))
        .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
        .returningAll(),
    ),
  );
  /** MySQL's attempt slot on the row read: with the claim for the right secret, without it for a wrong one. */
  const takeSlot = (right: boolean) =>
    compileOnce<'id' | 'at', never>((slot) =>
      db
        .updateTable('w3kit_one_time_codes')
        .set((eb) => (right ? { attempts: eb('attempts', '+', 1), consumed_at: slot<number>('at') } : { attempts: eb('attempts', '+', 1) }))
        .where('id', '=', slot<string>('id'))
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', slot<number>('at'))
        .where((eb) => eb('attempts', '<', eb.ref('max_attempts'))),
    );
  const takeSlotFor = { right: takeSlot(true), wrong: takeSlot(false) };

  const findCode = async (kind: LocatorKind, purpose: string, key: string): Promise<Row | undefined> => (await db.executeQuery(selectCode[kind]({ purpose, key }))).rows[0];

  /** Why a try took no slot: the code is gone, used, expired or out of tries (read after the UPDATE that found nothing to update). */
  async function refusal(kind: LocatorKind, purpose: string, key: string, at: number): Promise<ConsumeResult<never>> {
    const row = await findCode(kind, purpose, key);
    if (!row) return { ok: false, reason: 'not_found', attemptsLeft: 0 };
    return { ok: false, reason: failure(row, at) ?? 'exhausted', attemptsLeft: Math.max(0, row.max_attempts - row.attempts) };
  }

  return {
    async issue(input) {
      if (input.purpose.length === 0 || input.purpose.length > 64) throw new TypeError('purpose must be 1-64 characters');
      if (!(input.ttlSeconds > 0)) throw new TypeError('ttlSeconds must be positive');
      const shape = input.shape ?? { kind: 'digits', length: 6 };
      const secret = shape.kind === 'digits' ? random.digits(shape.length) : random.token(shape.bytes);
      const handle = random.token(24);
      const at = now();
      const subjectHash = input.subject === undefined ? null : hashSubject(input.purpose, input.subject);
      if (input.supersede && subjectHash !== null) {
        await db.deleteFrom('w3kit_one_time_codes').where('purpose', '=', input.purpose).where('subject_hash', '=', subjectHash).execute();
      }
      const expiresAt = at + Math.round(input.ttlSeconds * 1000);
      await db
        .insertInto('w3kit_one_time_codes')
        .values({
          id: handle,
          purpose: input.purpose,
          subject_hash: subjectHash,
          secret_hash: hashSecret(input.purpose, secret),
          data: input.data === undefined ? null : JSON.stringify(input.data),
          attempts: 0,
          max_attempts: input.maxAttempts ?? 5,
          created_at: at,
          expires_at: expiresAt,
          consumed_at: null,
        })
        .execute();
      return { handle, secret, expiresAt: new Date(expiresAt) };
    },

    async consume<T>(purpose: string, locator: CodeLocator, secret: string): Promise<ConsumeResult<T>> {
      const at = now();
      const given = hashSecret(purpose, secret);
      const kind = kindOf(locator);
      const key = keyOf(purpose, locator, given);
      if (database.dialect !== 'mysql') {
        const updated = (await db.executeQuery(takeSlotReturning[kind]({ purpose, key, given, at }))).rows[0];
        if (!updated) return refusal(kind, purpose, key, at);
        if (updated.consumed_at === null) return { ok: false, reason: 'invalid', attemptsLeft: Math.max(0, updated.max_attempts - updated.attempts) };
        return { ok: true, handle: updated.id, data: parseData<T>(updated) };
      }

      const row = await findCode(kind, purpose, key);
      if (!row) return { ok: false, reason: 'not_found', attemptsLeft: 0 };
      const early = failure(row, at);
      if (early) return { ok: false, reason: early, attemptsLeft: Math.max(0, row.max_attempts - row.attempts) };
      // compared in constant time against the row read; the row's hash never changes
      const expected = Buffer.from(row.secret_hash, 'hex');
      const right = expected.length === given.length / 2 && timingSafeEqual(expected, Buffer.from(given, 'hex'));
      // the attempt slot and, for the right secret, the claim: one conditional UPDATE, so of two
      // concurrent tries past the last slot, or two right answers, exactly one gets the row
      const slot = await db.executeQuery(takeSlotFor[right ? 'right' : 'wrong']({ id: row.id, at }));
      if (Number(slot.numAffectedRows) !== 1) return refusal(kind, purpose, key, at);
      if (!right) return { ok: false, reason: 'invalid', attemptsLeft: Math.max(0, row.max_attempts - row.attempts - 1) };
      return { ok: true, handle: row.id, data: parseData<T>(row) };
    },

    async peek<T>(purpose: string, secret: string): Promise<PeekResult<T> | null> {
      const row = await findCode('bySecret', purpose, hashSecret(purpose, secret));
      if (!row || failure(row, now())) return null;
      return { handle: row.id, data: parseData<T>(row), expiresAt: new Date(Number(row.expires_at)) };
    },

    async revoke(purpose, subject) {
      await db
        .updateTable('w3kit_one_time_codes')
        .set({ consumed_at: now() })
        .where('purpose', '=', purpose)
        .where('subject_hash', '=', hashSubject(purpose, subject))
        .where('consumed_at', 'is', null)
        .execute();
    },

    async purgeExpired(retentionSeconds = 0) {
      const result = await db
        .deleteFrom('w3kit_one_time_codes')
        .where('expires_at', '<=', now() - retentionSeconds * 1000)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
