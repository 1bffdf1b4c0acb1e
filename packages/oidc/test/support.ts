import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type CreateKitOptions, type Kit, type KitConfigInput, type KitPlugin } from '@w3kit/core';
import { appFor, createTestDatabase, type TestDatabase, type TestDatabaseKind } from '@w3kit/core/testing';
import Koa from 'koa';
import * as client from 'openid-client';
import { oidc, type OidcOptions } from '@w3kit/oidc';

export const MASTER_KEY = randomBytes(32).toString('hex');
export const PASSWORD = 'correct horse battery';

export interface OpServer {
  kit: Kit;
  publicUrl: string;
  issuer: string;
  close(): Promise<void>;
}

/** A kit with auth and oidc (and `plugins`) served on a real port: the issuer must be its own URL. */
export async function startOpServer(
  databaseUrl: string,
  options: OidcOptions = {},
  extra: Omit<Partial<CreateKitOptions>, 'config' | 'plugins'> & {
    config?: Partial<KitConfigInput>;
    plugins?: KitPlugin[];
    /** More plugins that need the server's URL (e.g. siwe's allowed origin). */
    pluginsFor?: (publicUrl: string) => KitPlugin[];
  } = {},
): Promise<OpServer> {
  let listener: RequestListener | undefined;
  const server: Server = createServer((req, res) => listener!(req, res));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { pluginsFor, ...kitOptions } = extra;
  const kit = await createKit({
    database: databaseUrl,
    logger: createLogger({ level: process.env['OIDC_TEST_LOG'] ? 'error' : 'silent' }),
    ...kitOptions,
    plugins: [auth(), oidc(options), ...(extra.plugins ?? []), ...(pluginsFor?.(publicUrl) ?? [])],
    config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl, ...extra.config },
  });
  listener = appFor(kit).callback();
  return {
    kit,
    publicUrl,
    issuer: `${publicUrl}/oidc`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await kit.close();
    },
  };
}

let counter = 0;
export const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;

export async function createEndUser(kit: Kit) {
  const loginId = `user-${unique()}`;
  const email = `${loginId}@example.com`;
  const account = await kit.services.accountService.createEndUser({ loginId, email, password: PASSWORD, name: 'Ada Lovelace' });
  return { account, loginId, email };
}

/** A relying party's view of the OP: openid-client's configuration from discovery (http allowed: the tests run on 127.0.0.1). */
export async function discover(issuer: string, clientId: string, clientSecret?: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), clientId, clientSecret, clientSecret ? undefined : client.None(), { execute: [client.allowInsecureRequests] });
}

/** Minimal cookie jar over fetch, for driving the OP's pages without a browser. */
export class Browserless {
  readonly #cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) headers.set('cookie', [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return res;
  }

  /**
   * Other origins that are the OP too (the issuer's, when the browser talks to one instance of
   * several): redirects to them are sent to the `origin` the browser uses, as a load balancer would.
   */
  readonly sameOp: string[] = [];

  /** Follows redirects while they stay on `origin`; returns the first answer that is not one (or the redirect that leaves). */
  async follow(url: string, origin: string, init: RequestInit = {}): Promise<{ res: Response; url: string }> {
    let res = await this.request(url, init);
    let current = url;
    while (res.status >= 300 && res.status < 400) {
      let next = new URL(res.headers.get('location')!, current).href;
      const op = this.sameOp.find((o) => next.startsWith(`${o}/`));
      if (op) next = `${origin}${next.slice(op.length)}`;
      if (!next.startsWith(origin)) return { res, url: next };
      current = next;
      res = await this.request(next);
    }
    return { res, url: current };
  }

  async postForm(url: string, fields: Record<string, string>, origin: string) {
    return this.follow(url, origin, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }
}

export const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? assert.fail(`no csrf field in:\n${html}`);
export const actionOf = (html: string, suffix: string) => new RegExp(`action="([^"]*/interaction/[^"/]+/${suffix})"`).exec(html)?.[1] ?? assert.fail(`no ${suffix} form in:\n${html}`);

export interface AuthorizeResult {
  /** Where the OP sent the browser: the redirect URI with code and state (or an error). */
  callback: URL;
  codeVerifier: string;
  state: string;
}

/**
 * The whole front channel without a browser: authorization request, password sign-in, consent,
 * back to the redirect URI. `opUrl` is the instance the browser talks to (any instance works).
 */
export async function authorizeWithPassword(
  config: client.Configuration,
  input: { redirectUri: string; login: string; password?: string; scope?: string; opOrigin: string; codeVerifier?: string; browser?: Browserless },
): Promise<AuthorizeResult> {
  const codeVerifier = input.codeVerifier ?? client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    scope: input.scope ?? 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
  });
  const browser = input.browser ?? new Browserless();
  const origin = input.opOrigin;
  browser.sameOp.push(new URL(config.serverMetadata().issuer).origin);
  const rewrite = (u: string) => `${origin}${new URL(u).pathname}${new URL(u).search}`;
  let step = await browser.follow(rewrite(url.href), origin);
  assert.equal(step.res.status, 200, `the login page: ${await step.res.clone().text()}`);
  let html = await step.res.text();
  step = await browser.postForm(`${origin}${actionOf(html, 'password')}`, { csrf: csrfOf(html), login: input.login, password: input.password ?? PASSWORD }, origin);
  if (step.res.status === 200) {
    html = await step.res.text();
    assert.match(html, /Allow access/, 'the consent page');
    step = await browser.postForm(`${origin}${actionOf(html, 'consent')}`, { csrf: csrfOf(html) }, origin);
  }
  assert.ok(step.res.status >= 300 && step.res.status < 400, `expected the redirect to the relying party, got ${step.res.status}: ${await step.res.text()}`);
  return { callback: new URL(step.url), codeVerifier, state };
}

export interface OpFixture {
  db: TestDatabase;
  op: OpServer;
  config: client.Configuration;
  clientId: string;
  clientSecret: string;
}

/**
 * Registers mocha hooks for a suite: a fresh database of `kind`, an OP server on it, and one
 * confidential client with the relying party's discovered configuration.
 */
export function useOpWithClient(
  kind: TestDatabaseKind,
  client: { name: string; redirectUris: string[]; postLogoutRedirectUris?: string[] },
  options: OidcOptions = {},
  extra: (fixture: OpFixture) => Parameters<typeof startOpServer>[2] = () => ({}),
): OpFixture {
  const fixture = {} as OpFixture;
  before(async () => {
    fixture.db = await createTestDatabase(kind);
    fixture.op = await startOpServer(fixture.db.url, options, extra(fixture));
    const created = await fixture.op.kit.services.oidcClientService.create(client);
    fixture.clientId = created.client_id;
    fixture.clientSecret = created.client_secret!;
    fixture.config = await discover(fixture.op.issuer, created.client_id, created.client_secret);
  });
  after(async () => {
    await fixture.op?.close();
    await fixture.db?.drop();
  });
  return fixture;
}

export interface SignedIn {
  idToken: string;
  sub: string;
  email: string;
}

/**
 * A relying party on its own origin, written as an application would write it with
 * openid-client: `/login` redirects to the OP (PKCE S256, state), `/callback` exchanges the code
 * and shows who signed in.
 */
export async function startRelyingParty(issuer: string, clientOf: (redirectUri: string) => Promise<{ clientId: string; clientSecret: string }>) {
  const results: SignedIn[] = [];
  const pending = new Map<string, string>(); // state → code verifier
  const app = new Koa();
  let config: client.Configuration;
  let redirectUri = '';
  app.use(async (ctx) => {
    if (ctx.path === '/login') {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      pending.set(state, verifier);
      ctx.redirect(
        client.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid email profile',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
        }).href,
      );
    } else if (ctx.path === '/callback') {
      const state = String(ctx.query['state']);
      const tokens = await client.authorizationCodeGrant(config, new URL(ctx.href), { pkceCodeVerifier: pending.get(state)!, expectedState: state });
      const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      results.push({ idToken: tokens.id_token!, sub: info.sub, email: String(info.email) });
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Signed in</title><p id="who">${info.sub}</p>`;
    }
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  redirectUri = `${origin}/callback`;
  const { clientId, clientSecret } = await clientOf(redirectUri);
  config = await discover(issuer, clientId, clientSecret);
  return { origin, config, clientId, results, close: () => new Promise((resolve) => server.close(resolve)) };
}
