import type { Database, Statement } from 'better-sqlite3';

/**
 * better-sqlite3 compiles SQL on every `prepare`, and Kysely's SQLite driver prepares every
 * query anew: on the hot paths (a token's session, a rate-limit counter, a one-time code) the
 * compile costs about as much as running the statement. The kit's SQL texts are a small fixed
 * set (values are bound parameters, never spliced in), so their compiled statements are kept,
 * least recently used dropped beyond `size`. SQLite re-prepares a kept statement by itself after
 * a schema change. A statement that is iterating (a streamed query) is busy: that call gets a
 * fresh one.
 */
export function keepPreparedStatements(database: Database, size = 500): Database {
  const prepare = database.prepare.bind(database);
  const kept = new Map<string, Statement>();
  const cached = (source: string): Statement => {
    const statement = kept.get(source);
    if (statement && !statement.busy) {
      kept.delete(source); // most recently used last
      kept.set(source, statement);
      return statement;
    }
    const fresh = prepare(source);
    if (!statement) {
      kept.set(source, fresh);
      if (kept.size > size) kept.delete(kept.keys().next().value!);
    }
    return fresh;
  };
  database.prepare = cached as Database['prepare'];
  return database;
}
