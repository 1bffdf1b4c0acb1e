import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthOptions } from '@w3kit/auth';
import type { Kit, KitPlugin } from '@w3kit/core';
import { rootMount, type KitMount } from '@w3kit/core/testing';
import request from 'supertest';
import { authKit, type EmailInbox } from './support.js';

/** The association page's and the button endpoint's paths with the default base paths, under `mountPath`. */
export function associationPaths(mountPath: string) {
  return { PAGE_PATH: `${mountPath}/rest/v1/association`, BUTTON_PATH: `${mountPath}/rest/v1/auth/account/association/generate_web3connect_button_js` };
}

/** The button endpoint's path at the root. */
export const { BUTTON_PATH } = associationPaths('');

/**
 * A real HTTP server on 127.0.0.1 serving, at `mount`, a kit whose `publicUrl` is the server's
 * own URL (the server listens first, the kit is created for its port).
 */
export async function startKitServer(
  databaseUrl: string,
  extra: Parameters<typeof authKit>[2] & { pluginsFor?: (publicUrl: string) => KitPlugin[] } = {},
  mount: KitMount = rootMount,
  options: AuthOptions = {},
) {
  let listener: RequestListener | undefined;
  const server: Server = createServer((req, res) => listener!(req, res));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // pluginsFor: plugins whose options need the server's URL (siwe's allowed origin)
  const { pluginsFor, ...kitOptions } = extra;
  const plugins = pluginsFor ? { plugins: pluginsFor(publicUrl) } : {};
  const kit = await authKit(databaseUrl, options, { ...kitOptions, ...plugins, config: { publicUrl, mountPath: mount.mountPath, ...extra.config } });
  listener = mount.app(kit).callback();
  return {
    kit,
    server,
    publicUrl,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await kit.close();
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

  /** Opens the page of `pageUrl` and posts one of its forms (`<page path>/<action>`) with the page's own token and CSRF field. */
  async open(pageUrl: string) {
    const url = new URL(pageUrl);
    const res = await this.get(`${url.pathname}${url.search}`);
    assert.equal(res.status, 200, res.text);
    const form = { token: fieldOf(res.text, 'token'), csrf: fieldOf(res.text, 'csrf') };
    return { res, form, submit: (action: string, fields: Record<string, string> = {}) => this.post(`${url.pathname}/${action}`, { ...form, ...fields }) };
  }
}

/** The open page of a ticket, as `CookieBrowser.open` answers it. */
export type OpenPage = Awaited<ReturnType<CookieBrowser['open']>>;

/**
 * Signs up on the page: posts the sign-up form (answered with the code form), then the code
 * emailed to `fields.email`. Returns the code post's answer (303 back to the page when right).
 */
export async function signUpWithCode(page: OpenPage, inbox: EmailInbox, fields: { name: string; email: string; password: string }) {
  const signUp = await page.submit('sign-up', fields);
  assert.equal(signUp.status, 200, signUp.text);
  const code = inbox.lastCode(fields.email.trim().toLowerCase());
  return page.submit('verify-email', { pending: fieldOf(signUp.text, 'pending'), code });
}
