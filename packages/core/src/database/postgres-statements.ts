import { createHash } from 'node:crypto';
import { isStalePlan } from './retry.js';

/** What of a `pg` client the statement namer uses: its query method and its transaction state. */
export interface PgClientLike {
  query(...args: never[]): unknown;
  /** 'I' idle, 'T' in a transaction, 'E' in a failed transaction (pg ≥ 8.13). */
  getTransactionStatus?(): string | null;
}

export interface NamedStatementsOptions {
  /** Sightings of a text before it is sent as a named statement. Default 2. */
  after?: number;
  /** Texts given a name, at most, per process (so per connection). Default 200. */
  max?: number;
}

/** A statement the kit runs often and PostgreSQL may keep planned: data statements only, never DDL. */
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;
/** Longer texts are one-off shapes (a batch insert of 500 rows), not worth a slot. */
const MAX_TEXT = 8192;
/** The texts counted before they earn a name; the count starts over beyond this many. */
const MAX_COUNTED = 5000;

/**
 * Decides which SQL texts go to PostgreSQL as named (prepared) statements. pg sends an unnamed
 * statement as Parse + Bind + Execute every time, and PostgreSQL parses and plans it anew; a named
 * one is parsed once per connection and its plan kept, which halves the database's share of the
 * kit's hot reads (the nft pages: planning the deferred join took as long as running it). The
 * kit's SQL texts are a small fixed set (values are always bound parameters), so a text seen
 * `after` times gets a name, a hash of the text, until `max` texts have one: each connection
 * then keeps at most `max` statements, and a text seen once (a batch insert) never takes a slot.
 * DDL (migrations) and transaction control are never named.
 *
 * A table altered under a kept statement (a migration from another instance) makes PostgreSQL
 * answer 0A000 `cached plan must not change result type`: the text then gets a new name (the
 * next use parses it again on each connection) and, outside a transaction, the query is retried
 * once; nothing ran, so the retry is safe. Inside a transaction the error has aborted it: it
 * goes to the caller, a transient error (`isTransientDbError`) that `retryTransient` runs again
 * whole and a route answers with 503 and `retry-after`.
 */
export function namedStatements({ after = 2, max = 200 }: NamedStatementsOptions = {}) {
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  let renamed = 0;
  const baseName = (text: string) => `w3kit_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;

  const nameOf = (text: string): string | undefined => {
    const named = names.get(text);
    if (named !== undefined) return named;
    if (names.size >= max || text.length > MAX_TEXT || !DATA_STATEMENT.test(text)) return undefined;
    const count = (seen.get(text) ?? 0) + 1;
    if (count < after) {
      if (seen.size >= MAX_COUNTED) seen.clear();
      seen.set(text, count);
      return undefined;
    }
    seen.delete(text);
    const name = baseName(text);
    names.set(text, name);
    return name;
  };

  const rename = (text: string) => {
    renamed++;
    names.set(text, `${baseName(text)}_${renamed}`);
  };

  /** Wraps a pool client's `query(text, values)` (what Kysely calls) to send often seen texts by name. */
  const wrap = (client: PgClientLike): void => {
    const query = client.query.bind(client) as (config: unknown, values?: unknown, ...rest: unknown[]) => Promise<unknown>;
    const run = async (text: string, values: unknown[], name: string): Promise<unknown> => {
      const idle = client.getTransactionStatus?.() === 'I';
      try {
        return await query({ name, text, values });
      } catch (error) {
        if (!isStalePlan(error)) throw error;
        if (names.get(text) === name) rename(text);
        if (!idle) throw error;
        return query({ name: names.get(text), text, values });
      }
    };
    const wrapped = (config: unknown, values?: unknown, ...rest: unknown[]) => {
      // only Kysely's (text, values) form: a query object, a cursor (a streamed query), a callback
      // (pool.query) or a text without values (the simple protocol, which allows several statements) go as they are
      if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0 || rest.length > 0) return query(config, values, ...rest);
      const name = nameOf(config);
      return name === undefined ? query(config, values) : run(config, values, name);
    };
    (client as { query: unknown }).query = wrapped;
  };

  return { wrap, nameOf };
}
