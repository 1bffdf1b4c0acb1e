import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A development default secret (a master key, a signer key) kept in a data folder: read from
 * `<dataDir>/<file>`, or made with `create` and written there (mode 0600) the first time, so a
 * restarted development server still decrypts what it stored. Production supplies its secrets.
 */
export function persistedDevelopmentSecret(dataDir: string, file: string, create: () => string): string {
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = create();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}
