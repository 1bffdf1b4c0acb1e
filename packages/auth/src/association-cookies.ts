import { timingSafeEqual } from 'node:crypto';
import type { EnvelopeEncryption, RandomSource } from '@w3kit/core';
import type { Context } from 'koa';
import { authErrors } from './errors.js';

const CSRF_COOKIE = 'w3kit_association_csrf';
const SIGN_IN_COOKIE = 'w3kit_association_sign_in';
const TOKEN = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes as base64url

/**
 * What the association pages keep in the browser, both in HttpOnly, SameSite=Strict cookies
 * scoped to the pages' path:
 * - a random CSRF nonce; each form carries `csrf` = keyed hash of (nonce, ticket), so a form
 *   post counts only from a browser that loaded the page of that very ticket;
 * - the secret of the end user's sign-in, whose state (who, for which ticket) is in the
 *   database, so any instance behind a load balancer can serve the next step.
 */
export interface AssociationCookies {
  /** The form token for this browser and ticket; sets the nonce cookie on first sight. */
  csrfToken(ticket: string): string;
  /** 403 CSRF_TOKEN_INVALID unless `given` is this browser's token for the ticket. */
  checkCsrf(ticket: string, given: string | undefined): void;
  signInSecret(): string | undefined;
  setSignIn(secret: string, maxAgeSeconds: number): void;
  clearSignIn(): void;
}

export interface AssociationCookieOptions {
  /** Cookie path: the association pages' path. */
  path: string;
  /** Add `Secure` (the kit's public URL is https). */
  secure: boolean;
  encryption: EnvelopeEncryption;
  random: RandomSource;
}

export function associationCookies(ctx: Context, options: AssociationCookieOptions): AssociationCookies {
  const { path, secure, encryption, random } = options;
  const read = (name: string) => {
    const value = ctx.cookies.get(name, { signed: false });
    return value && TOKEN.test(value) ? value : undefined;
  };
  // Written by hand: Koa's cookie writer refuses `Secure` on a plain-http hop behind a TLS proxy.
  const write = (name: string, value: string, maxAgeSeconds?: number) => {
    const attributes = [`${name}=${value}`, `Path=${path}`, 'HttpOnly', 'SameSite=Strict'];
    if (secure) attributes.push('Secure');
    if (maxAgeSeconds !== undefined) attributes.push(`Max-Age=${maxAgeSeconds}`);
    ctx.append('set-cookie', attributes.join('; '));
  };
  const tokenFor = (nonce: string, ticket: string) => encryption.digest('auth.association.csrf', `${nonce}\0${ticket}`);

  let nonce = read(CSRF_COOKIE);
  return {
    csrfToken(ticket) {
      if (!nonce) {
        nonce = random.token(32);
        write(CSRF_COOKIE, nonce); // a session cookie: gone when the browser closes
      }
      return tokenFor(nonce, ticket);
    },
    checkCsrf(ticket, given) {
      const expected = nonce ? Buffer.from(tokenFor(nonce, ticket)) : null;
      const actual = Buffer.from(given ?? '');
      if (!expected || expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw authErrors.create('CSRF_TOKEN_INVALID');
    },
    signInSecret: () => read(SIGN_IN_COOKIE),
    setSignIn: (secret, maxAgeSeconds) => write(SIGN_IN_COOKIE, secret, maxAgeSeconds),
    clearSignIn: () => write(SIGN_IN_COOKIE, '', 0),
  };
}
