import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The host application's own database: its own SQLite file, its own schema and its own
 * migrations (SQLite's `user_version`), reached through better-sqlite3 directly. w3kit never
 * migrates or even sees it; the kit's tables live in the kit's database.
 */
export type HostDatabase = Database.Database;

/**
 * The host's schema, one step per `user_version`. Credentials are one row each: the columns the
 * host queries by (owner, issuer, visibility, issue time) and a JSON `document` with the rest.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE credentials (
     id           TEXT    PRIMARY KEY,                        -- the kit's token id (0x + 64 hex)
     owner_wallet TEXT    NOT NULL,                           -- the holder's ID wallet, EIP-55
     issuer_id    TEXT    NOT NULL,                           -- the minting organization's account id
     is_public    INTEGER NOT NULL CHECK (is_public IN (0, 1)),
     issued_at    INTEGER NOT NULL,                           -- epoch milliseconds
     document     TEXT    NOT NULL CHECK (json_valid(document))
   ) STRICT;
   -- every listing walks one of these in (…, issued_at, id) order: the page comes off the index
   CREATE INDEX credentials_by_owner  ON credentials (owner_wallet, issued_at, id);
   CREATE INDEX credentials_by_issuer ON credentials (issuer_id, issued_at, id);
   CREATE INDEX credentials_public    ON credentials (is_public, issued_at, id);
   -- the one search field this host's users filter by most; other fields are checked row by row
   CREATE INDEX credentials_by_category ON credentials (json_extract(document, '$.metadata.dynamic.category'));

   CREATE TABLE credential_mint_keys (
     issuer_id     TEXT    NOT NULL,
     mint_key      TEXT    NOT NULL,
     request_hash  TEXT    NOT NULL,
     credential_id TEXT    NOT NULL,
     claimed_at    INTEGER NOT NULL,
     PRIMARY KEY (issuer_id, mint_key)
   ) STRICT;`,
];

/** Opens (creating folders and file) the host database at `file` (`:memory:` for a throwaway) and brings its schema up to date. */
export function openHostDatabase(file: string): HostDatabase {
  const memory = file === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(file)), { recursive: true });
  const db = new Database(memory ? file : resolve(file), { timeout: 5000 });
  if (!memory) db.pragma('journal_mode = WAL');
  const migrate = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    MIGRATIONS.slice(version).forEach((step) => db.exec(step));
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  migrate.immediate();
  return db;
}
