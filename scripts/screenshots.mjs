// The README's screenshots: starts the built standalone server on a throwaway SQLite database,
// seeds it (`w3kit dev seed`), sends one email code so the outbox has something to show, and takes
// /docs, /dev/outbox, the association page and the login demo with headless Chromium into docs/.
//   node scripts/screenshots.mjs          (after `pnpm build`; CHROMIUM=/path overrides /usr/bin/chromium)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
// playwright-core is a dev dependency of the siwe-dapp example (its browser test); borrowed from there
const { chromium } = createRequire(join(ROOT, 'examples/siwe-dapp/package.json'))('playwright-core');
const data = mkdtempSync(join(tmpdir(), 'w3kit-shots-'));
const port = String(20_000 + Math.floor(Math.random() * 20_000));
const env = { PATH: process.env.PATH, W3KIT_DATA_DIR: data, PORT: port, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' };
const base = `http://127.0.0.1:${port}`;

const server = spawn(process.execPath, [join(ROOT, 'examples/standalone-server/dist/main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((ok, fail) => {
  let out = '';
  server.stdout.on('data', (c) => ((out += c), out.includes('listening on') && ok()));
  server.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
});
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const seeded = spawnSync(process.execPath, [join(ROOT, 'examples/standalone-server/dist/cli.js'), 'dev', 'seed', '--json'], { env, encoding: 'utf8' });
  if (seeded.status !== 0) throw new Error(seeded.stderr);
  const seed = JSON.parse(seeded.stdout);
  const post = (path, body, token) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then((r) =>
      r.json(),
    );
  await post('/rest/v1/verify/email/step1', {}, seed.user.access_token);
  const button = await post('/rest/v1/auth/account/association/generate_web3connect_button_js', { api_key_secret: seed.organization.api_key_secret, redirect_url: 'http://localhost/done' });
  const association = /https?:\/\/[^'"\s]+/.exec(button.result)[0];
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  for (const [file, url] of [
    ['screenshot-docs.png', `${base}/docs`],
    ['screenshot-dev-outbox.png', `${base}/dev/outbox`],
    ['screenshot-association.png', association],
    ['screenshot-login-demo.png', `${base}/v2/login-demo`],
  ]) {
    await page.goto(url);
    // the reference renders in the page (Swagger UI): wait for its operations
    if (file === 'screenshot-docs.png') await page.locator('.opblock-tag').first().waitFor();
    await page.screenshot({ path: join(ROOT, 'docs', file) });
    console.log(`docs/${file}  ${url.replace(/\?.*/, '?…')}`);
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((ok) => server.once('exit', ok));
  rmSync(data, { recursive: true, force: true });
}
