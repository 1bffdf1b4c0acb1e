import { timingSafeEqual } from 'node:crypto';
import type { EnvelopeEncryption, RandomSource } from '@w3kit/core';
import type { Context } from 'koa';
import { oidcErrors } from './errors.js';

const CSRF_COOKIE = 'w3kit_oidc_csrf';
const NONCE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The CSRF token of the interaction forms: a random nonce in an HttpOnly, SameSite=Strict cookie
 * scoped to the interaction pages, and in each form the keyed hash of (nonce, interaction uid).
 * A post counts only from the browser that loaded that very interaction's page. (The provider's
 * own `_interaction` cookie binds the interaction to the browser as well.)
 */
export interface InteractionCsrf {
  token(uid: string): string;
  /** 403 CSRF_TOKEN_INVALID unless `given` is this browser's token for the interaction. */
  check(uid: string, given: string | undefined): void;
}

export function interactionCsrf(ctx: Context, options: { path: string; secure: boolean; encryption: EnvelopeEncryption; random: RandomSource }): InteractionCsrf {
  const { path, secure, encryption, random } = options;
  const sent = ctx.cookies.get(CSRF_COOKIE, { signed: false });
  let nonce = sent && NONCE.test(sent) ? sent : undefined;
  const tokenFor = (n: string, uid: string) => encryption.digest('oidc.interaction.csrf', `${n}\0${uid}`);
  return {
    token(uid) {
      if (!nonce) {
        nonce = random.token(32);
        // Written by hand: Koa's cookie writer refuses `Secure` on a plain-http hop behind a TLS proxy.
        ctx.append('set-cookie', [`${CSRF_COOKIE}=${nonce}`, `Path=${path}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; '));
      }
      return tokenFor(nonce, uid);
    },
    check(uid, given) {
      const expected = nonce ? Buffer.from(tokenFor(nonce, uid)) : null;
      const actual = Buffer.from(given ?? '');
      if (!expected || expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw oidcErrors.create('CSRF_TOKEN_INVALID');
    },
  };
}
