import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { keepPreparedStatements } from '../src/database/sqlite-statements.js';

/** An in-memory database whose compiles are counted (the wrapped `prepare` is better-sqlite3's own). */
function countingDatabase(size?: number) {
  const database = new SQLite(':memory:');
  const compile = database.prepare.bind(database);
  const counter = { compiles: 0 };
  database.prepare = (source: string) => {
    counter.compiles++;
    return compile(source);
  };
  return { database: keepPreparedStatements(database, size), counter };
}

describe('core sqlite statements: compiled SQL is kept', () => {
  it('the same SQL is compiled once and answers with each call’s own parameters', () => {
    const { database, counter } = countingDatabase();
    database.exec('create table t (id integer primary key, name text)');
    for (let i = 0; i < 50; i++) database.prepare('insert into t (name) values (?)').run(`n${i}`);
    const names = [3, 17, 42].map((id) => (database.prepare('select name from t where id = ?').get(id) as { name: string }).name);
    assert.deepEqual(names, ['n2', 'n16', 'n41']);
    assert.equal(counter.compiles, 2, 'one insert and one select compiled');
  });

  it('a statement busy iterating is not handed out again: the nested query gets a fresh one and both read correctly', () => {
    const { database, counter } = countingDatabase();
    database.exec('create table t (id integer primary key); insert into t values (1), (2), (3)');
    const pairs: Array<[number, number]> = [];
    for (const outer of database.prepare('select id from t order by id').iterate() as Iterable<{ id: number }>) {
      const inner = database.prepare('select id from t order by id').all() as Array<{ id: number }>;
      pairs.push([outer.id, inner.length]);
    }
    assert.deepEqual(pairs, [
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    assert.equal(counter.compiles, 4, 'the kept one, and a fresh one for each nested call while it iterated');
    database.prepare('select id from t order by id').all();
    assert.equal(counter.compiles, 4, 'once the iteration ended, the kept one serves again');
  });

  it('keeps at most `size` statements, dropping the least recently used', () => {
    const { database, counter } = countingDatabase(2);
    const run = (n: number) => database.prepare(`select ${n} as v`).get();
    run(1);
    run(2);
    run(1); // 1 is now the most recent
    run(3); // drops 2
    assert.equal(counter.compiles, 3);
    run(1);
    assert.equal(counter.compiles, 3, '1 was kept');
    run(2);
    assert.equal(counter.compiles, 4, '2 was dropped and compiled again');
  });

  it('a kept statement sees a schema change (SQLite re-prepares it)', () => {
    const { database } = countingDatabase();
    database.exec('create table t (id integer primary key); insert into t values (1)');
    assert.deepEqual(database.prepare('select * from t').get(), { id: 1 });
    database.exec("alter table t add column name text default 'x'");
    assert.deepEqual(database.prepare('select * from t').get(), { id: 1, name: 'x' });
  });
});
