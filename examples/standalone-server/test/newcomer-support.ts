/** Helpers of the newcomer tests (dev seed, outbox, wallet): the built server and CLI as a person runs them. */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist/main.js');
const CLI = join(ROOT, 'dist/cli.js');

export type Env = Record<string, string>;

/** Runs `w3kit <args>` (the built CLI) with `env` and nothing else of this process's environment. */
export const runCli = (args: string[], env: Env) => spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'], ...env }, encoding: 'utf8', timeout: 60_000 });

/** Starts the built server with `env` only (PORT 0 unless given); resolves once it listens. */
export async function startServer(env: Env) {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env['PATH'], PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const url = await new Promise<string>((ok, fail) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) ok(match[1]!);
    });
    void exited.then((code) => fail(new Error(`server exited with ${code}: ${output}`)));
  });
  return {
    url,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A production configuration that starts (as production.test.ts has it): real providers, nothing sent. */
export function productionEnv(dir: string): Env {
  return {
    NODE_ENV: 'production',
    W3KIT_DATA_DIR: dir,
    DATABASE_URL: `sqlite:${join(dir, 'w3kit.db')}`,
    PUBLIC_URL: 'https://id.example.test',
    W3KIT_MASTER_KEY: randomBytes(32).toString('hex'),
    ATTESTATION_SIGNER_KEY: `0x${randomBytes(32).toString('hex')}`,
    ATTESTATION_APP_ORIGIN: 'https://dapp.example.test',
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
    TWILIO_FROM: '+15005550006',
    SMTP_URL: 'smtps://mailer:pw@mail.example.test',
    LOG_LEVEL: 'warn',
  };
}
