import { sql } from 'kysely';
import { compileOnce, type Slot } from '../database/compile-once.js';
import type { Clock } from '../clock.js';
import type { EnvelopeEncryption } from '../crypto/envelope-encryption.js';
import type { CoreTables } from '../database/core-migrations.js';
import type { DatabaseHandle } from '../database/create-database.js';
import { retryTransient } from '../database/retry.js';
import { coreErrors } from '../errors.js';

export interface RateLimitRule {
  /** Hits allowed per window. */
  limit: number;
  /** Window length in seconds. */
  windowSeconds: number;
  /**
   * `fixed` counts hits per aligned window; `sliding` weighs the previous window by how much
   * of it still overlaps the last `windowSeconds` (no burst of 2× at a window edge). Default `fixed`.
   */
  strategy?: 'fixed' | 'sliding';
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Hits left in the current window (0 when refused). */
  remaining: number;
  /** Seconds until a refused caller may try again (0 when allowed). */
  retryAfterSeconds: number;
}

/**
 * Database-backed rate limiting: counters live in `w3kit_rate_limits`, so every instance on
 * the same database shares them. Keys are any string (an IP, an email, an account id); they
 * are stored only as keyed hashes.
 */
export interface RateLimiter {
  /** The rule of that name (after configuration overrides). Throws on an unknown rule. */
  rule(name: string): Readonly<Required<RateLimitRule>>;
  /** Counts one hit for `key` under `rule` and tells whether it is within the limit. */
  hit(rule: string, key: string): Promise<RateLimitDecision>;
  /** Like `hit`, but throws `RATE_LIMITED` (429, with `retry-after`) when over the limit. */
  enforce(rule: string, key: string): Promise<RateLimitDecision>;
  /** Forgets the counters of `key` under `rule` (e.g. after a successful login). */
  reset(rule: string, key: string): Promise<void>;
  /** Deletes expired counters; returns how many rows went. */
  purgeExpired(): Promise<number>;
}

export interface RateLimiterDeps {
  database: DatabaseHandle;
  clock: Clock;
  encryption: EnvelopeEncryption;
  rules: Readonly<Record<string, RateLimitRule>>;
}

export function validateRateLimitRule(name: string, rule: RateLimitRule): Required<RateLimitRule> {
  if (!Number.isInteger(rule.limit) || rule.limit < 1) throw new TypeError(`rate limit "${name}": limit must be a positive integer`);
  if (!Number.isInteger(rule.windowSeconds) || rule.windowSeconds < 1) {
    throw new TypeError(`rate limit "${name}": windowSeconds must be a positive integer`);
  }
  const strategy = rule.strategy ?? 'fixed';
  if (strategy !== 'fixed' && strategy !== 'sliding') throw new TypeError(`rate limit "${name}": strategy must be fixed or sliding`);
  return { limit: rule.limit, windowSeconds: rule.windowSeconds, strategy };
}

export function createRateLimiter({ database, clock, encryption, rules }: RateLimiterDeps): RateLimiter {
  const db = database.db.withTables<CoreTables>();
  const resolved = new Map(Object.entries(rules).map(([name, rule]) => [name, validateRateLimitRule(name, rule)]));
  const ruleOf = (name: string) => {
    const rule = resolved.get(name);
    if (!rule) throw new TypeError(`unknown rate limit rule "${name}"; declare it in a plugin's rateLimits`);
    return rule;
  };
  const bucketOf = (name: string, key: string) => `${name.slice(0, 31)}:${encryption.digest('rate-limit', `${name}\0${key}`)}`;

  // The statements of a hit, compiled once (compileOnce): every rate-limited request counts one
  // or more hits, and building and compiling the upsert with Kysely cost about four times what
  // SQLite takes to run it (a sign-in with Ethereum counts two).
  // SQLite and PostgreSQL: INSERT … ON CONFLICT DO UPDATE … RETURNING, atomic on both
  // (PostgreSQL takes the row lock of the conflicting row; no unique violation reaches us).
  // MySQL has no RETURNING: LAST_INSERT_ID(expr) hands the incremented value back in the
  // statement's own result. A fresh insert does not evaluate it and reports 0, i.e. 1 hit.
  type HitSlot = 'bucket' | 'windowStart' | 'expiresAt';
  const newHit = (slot: Slot<HitSlot>) => db.insertInto('w3kit_rate_limits').values({ bucket: slot('bucket'), window_start: slot('windowStart'), hits: 1, expires_at: slot('expiresAt') });
  const incrementReturning = compileOnce<HitSlot, { hits: number | string }>((slot) =>
    newHit(slot)
      .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql`w3kit_rate_limits.hits + 1` }))
      .returning('hits'),
  );
  const incrementMysql = compileOnce<HitSlot, unknown>((slot) => newHit(slot).onDuplicateKeyUpdate({ hits: sql`LAST_INSERT_ID(hits + 1)` }));
  const hitsOfWindow = compileOnce<'bucket' | 'windowStart', { hits: number | string }>((slot) =>
    db.selectFrom('w3kit_rate_limits').select('hits').where('bucket', '=', slot<string>('bucket')).where('window_start', '=', slot<number>('windowStart')),
  );

  /** Adds one hit to the bucket's window and returns the new count, in one atomic statement. */
  async function increment(bucket: string, windowStart: number, expiresAt: number): Promise<number> {
    if (database.dialect !== 'mysql') {
      const { rows } = await db.executeQuery(incrementReturning({ bucket, windowStart, expiresAt }));
      return Number(rows[0]!.hits);
    }
    const query = incrementMysql({ bucket, windowStart, expiresAt });
    const result = await retryTransient(() => db.executeQuery(query));
    const value = Number(result.insertId ?? 0n);
    return value === 0 ? 1 : value;
  }

  async function hit(name: string, key: string): Promise<RateLimitDecision> {
    const rule = ruleOf(name);
    const now = clock.now().getTime();
    const windowMs = rule.windowSeconds * 1000;
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const bucket = bucketOf(name, key);
    // Counters are kept for two windows so the sliding strategy can weigh the previous one.
    const hits = await increment(bucket, windowStart, windowStart + 2 * windowMs);
    let used = hits;
    if (rule.strategy === 'sliding') {
      const { rows } = await db.executeQuery(hitsOfWindow({ bucket, windowStart: windowStart - windowMs }));
      const previous = rows[0];
      const overlap = 1 - (now - windowStart) / windowMs;
      used = hits + Math.floor(Number(previous?.hits ?? 0) * overlap);
    }
    const allowed = used <= rule.limit;
    return {
      allowed,
      limit: rule.limit,
      remaining: Math.max(0, rule.limit - used),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)),
    };
  }

  return {
    rule: ruleOf,
    hit,
    async enforce(name, key) {
      const decision = await hit(name, key);
      if (!decision.allowed) {
        throw coreErrors.create('RATE_LIMITED', {
          headers: { 'retry-after': String(decision.retryAfterSeconds) },
          details: { retry_after_seconds: decision.retryAfterSeconds },
        });
      }
      return decision;
    },
    async reset(name, key) {
      ruleOf(name);
      await db.deleteFrom('w3kit_rate_limits').where('bucket', '=', bucketOf(name, key)).execute();
    },
    async purgeExpired() {
      const result = await db.deleteFrom('w3kit_rate_limits').where('expires_at', '<=', clock.now().getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
