#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { EnvConfigError, loadServerConfig } from './env-config.js';
import { createStandaloneServer } from './server.js';

const USAGE = `usage: w3kit <command> [options]

commands:
  migrate      apply pending database migrations of core and every plugin
  help         show this text

The database and keys come from the same environment variables as the server
(DATABASE_URL, W3KIT_MASTER_KEY, …; see the README).`;

/** One CLI command: runs with the parsed options and prints JSON (or text) to stdout. */
type Command = (args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  async migrate(args) {
    parseArgs({ args, options: {}, strict: true });
    const config = loadServerConfig();
    const { kit } = await createStandaloneServer({ ...config, logLevel: 'warn' }, { migrations: 'skip' });
    try {
      const applied = await kit.migrate();
      process.stdout.write(`${JSON.stringify({ applied, database: kit.services.database.displayUrl })}\n`);
    } finally {
      await kit.close();
    }
  },
  async help() {
    process.stdout.write(`${USAGE}\n`);
  },
};

async function main(argv: string[]): Promise<void> {
  const [name = 'help', ...args] = argv;
  const command = commands[name];
  if (!command) {
    process.stderr.write(`w3kit: unknown command "${name}"\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  await command(args);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof EnvConfigError || (error as Error).name === 'KitConfigError' || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`w3kit: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
  process.exitCode = 1;
});
