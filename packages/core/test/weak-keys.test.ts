import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createKit, createLogger, KitConfigError, weakKeyReason } from '@w3kit/core';

describe('core weak keys: the master-key entropy rule', () => {
  it('refuses keys made by hand: one byte, a repeated block, few distinct bytes, a counting sequence', () => {
    const cases: [string, RegExp][] = [
      ['00'.repeat(32), /uses only 1 of 256 byte values/],
      ['ab'.repeat(32), /uses only 1 of 256 byte values/],
      ['deadbeef'.repeat(8), /uses only 4 of 256 byte values/],
      ['0123456789abcdef'.repeat(4), /uses only 8 of 256 byte values/],
      [randomBytes(16).toString('hex').repeat(2), /repeats a block of 16 bytes|uses only 1[0-5] of 256/], // 16 random bytes twice: 15 or 16 distinct
      ['030a11181f262d343b424950575e656c'.repeat(2), /repeats a block of 16 bytes/],
      [Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex'), /counting sequence/],
      [Buffer.from(Array.from({ length: 32 }, (_, i) => (250 - 3 * i + 256) % 256)).toString('hex'), /counting sequence/],
      [Buffer.from(Array.from({ length: 32 }, (_, i) => i % 15)).toString('hex'), /uses only 15 of 256 byte values/],
      ['zz'.repeat(32), /not 64 hex characters/],
    ];
    for (const [key, reason] of cases) assert.match(String(weakKeyReason(key)), reason, key);
  });

  it('accepts random keys (10,000 of them) and upper-case hex', () => {
    for (let i = 0; i < 10_000; i++) assert.equal(weakKeyReason(randomBytes(32).toString('hex')), undefined);
    assert.equal(weakKeyReason(randomBytes(32).toString('hex').toUpperCase()), undefined);
  });

  it('createKit in production refuses a weak master key (and says how to make one); test mode and previous keys are not checked', async () => {
    const logger = createLogger({ level: 'silent' });
    const production = { mode: 'production' as const, passwordHashCost: 15, housekeepingIntervalSeconds: 0 };
    await assert.rejects(createKit({ database: 'sqlite::memory:', logger, config: { ...production, masterKey: '00'.repeat(32) } }), (error: KitConfigError) => {
      assert.ok(error instanceof KitConfigError);
      assert.deepEqual(error.problems, ['config.masterKey: uses only 1 of 256 byte values (a random key uses about 30); production needs a random key (`openssl rand -hex 32`)']);
      return true;
    });
    // a weak previous key must stay usable, or nobody could rotate away from it
    await (await createKit({ database: 'sqlite::memory:', logger, config: { ...production, masterKey: randomBytes(32).toString('hex'), previousMasterKeys: ['00'.repeat(32)] } })).close();
    await (await createKit({ database: 'sqlite::memory:', logger, config: { mode: 'test', masterKey: '00'.repeat(32), housekeepingIntervalSeconds: 0 } })).close();
  });
});
