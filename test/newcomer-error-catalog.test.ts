import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreErrors } from '@w3kit/core';
import { loadServerConfig, standalonePlugins } from '@w3kit/standalone-server';

// Every error code of the kit with its status and default message, as a client reads them. A
// change of wording is a change of this snapshot, reviewed like code:
//   W3KIT_UPDATE_SNAPSHOT=1 pnpm test --grep "newcomer error catalog"   rewrites it
const SNAPSHOT = join(import.meta.dirname, 'error-catalog.snapshot.json');

describe('newcomer error catalog', () => {
  it('every error code and its message match the committed snapshot, and each message is a sentence a person can act on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'w3kit-catalog-'));
    try {
      const plugins = standalonePlugins(loadServerConfig({ W3KIT_DATA_DIR: dir }, dir));
      const catalog: Record<string, Record<string, string>> = { core: {} };
      for (const [code, def] of Object.entries(coreErrors.catalog)) catalog['core']![code] = `${def.status} ${def.message}`;
      for (const plugin of plugins) {
        for (const [code, def] of Object.entries(plugin.errors ?? {})) (catalog[plugin.name] ??= {})[code] = `${def.status} ${def.message}`;
      }
      for (const [plugin, codes] of Object.entries(catalog)) {
        for (const [code, line] of Object.entries(codes)) {
          assert.match(line, /^[45]\d\d [A-Z`a-z].*[.)]$/, `${plugin}/${code}: a status and a sentence`);
          assert.doesNotMatch(line, /not a valid value/, `${plugin}/${code}`);
        }
      }
      if (process.env['W3KIT_UPDATE_SNAPSHOT'] === '1') writeFileSync(SNAPSHOT, `${JSON.stringify(catalog, null, 2)}\n`);
      assert.deepEqual(catalog, JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
