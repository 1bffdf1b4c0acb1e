import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kit } from '@w3kit/core';
import Koa from 'koa';
import request from 'supertest';
import { authKit } from './support.js';

/** The association page's path with the default mount and base paths. */
export const PAGE_PATH = '/rest/v1/association';
export const BUTTON_PATH = '/rest/v1/auth/account/association/generate_web3connect_button_js';

/**
 * A real HTTP server on 127.0.0.1 serving a kit whose `publicUrl` is the server's own URL (the
 * server listens first, the kit is created for its port). `host` serves other requests, e.g.
 * an organization's page.
 */
export async function startKitServer(databaseUrl: string, extra: Parameters<typeof authKit>[2] = {}, host?: Koa.Middleware) {
  let kit: Kit | undefined;
  const app = new Koa();
  app.silent = true;
  app.use((ctx, next) => kit!.middleware()(ctx, next));
  if (host) app.use(host);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  kit = await authKit(databaseUrl, {}, { ...extra, config: { publicUrl, ...extra.config } });
  return {
    kit,
    server,
    publicUrl,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await kit!.close();
    },
  };
}

/** An organization whose domain is verified (the store is updated directly, as the DNS check would). */
export async function verifiedOrganization(kit: Kit, domain: string, name = 'Acme Corp') {
  const { account, apiKeySecret } = await kit.services.accountService.createOrganization({ name, domain, email: `ops@${domain}` });
  await kit.services.accountStore.update(account.id, { domainVerified: true }, new Date());
  return { account, apiKeySecret };
}

/** The page URL inside a generated `globalWeb3ConnectButtonOnClick()`. */
export function pageUrlOf(js: string): string {
  const match = /var url = ("[^"\n]*");/.exec(js);
  assert.ok(match, `no page URL in:\n${js}`);
  return JSON.parse(match[1]!) as string;
}

/** The value of a hidden field of the first form of an HTML page. */
export function fieldOf(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  assert.ok(match, `no field ${name} in the page`);
  return match[1]!;
}

/**
 * One browser's view of the pages over supertest: a cookie jar that keeps what the pages set
 * (and drops what they clear), so each test says exactly which cookies it sends.
 */
export class CookieBrowser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly server: Server) {}

  private keep(res: request.Response): request.Response {
    const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    for (const line of lines) {
      const [pair, ...attributes] = line.split('; ');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (value === '' || attributes.includes('Max-Age=0')) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  private get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(path: string) {
    return this.keep(await request(this.server).get(path).set('cookie', this.cookieHeader));
  }

  async post(path: string, fields: Record<string, string>) {
    return this.keep(await request(this.server).post(path).set('cookie', this.cookieHeader).type('form').send(fields));
  }

  /** Opens the page of `pageUrl` and posts one of its forms with the page's own token and CSRF field. */
  async open(pageUrl: string) {
    const url = new URL(pageUrl);
    const res = await this.get(`${url.pathname}${url.search}`);
    assert.equal(res.status, 200, res.text);
    const form = { token: fieldOf(res.text, 'token'), csrf: fieldOf(res.text, 'csrf') };
    return { res, form, submit: (action: string, fields: Record<string, string> = {}) => this.post(`${PAGE_PATH}/${action}`, { ...form, ...fields }) };
  }
}
