import type { JsonWebKey } from 'node:crypto';
// The baseline: a bare Koa app that reads the form body (`vp_token`) and hands the presentation
// straight to @sd-jwt/core's verify — issuer signature with the issuer's key, disclosures,
// key-binding JWT signature with the credential's cnf.jwk, its nonce (read from the KB-JWT: the
// bare app has no request store) and sd_hash — and answers {}.
import { SDJwtInstance } from '@sd-jwt/core';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import Koa from 'koa';
import { listen } from './listen.js';
import { benchKeysFromEnv } from './sd-jwt-verify-setup.js';

const keys = benchKeysFromEnv();
const issuerVerifier = await ES256.getVerifier(keys.issuerPublic);
const hasher = (data: string | ArrayBuffer, alg: string) => digest(data, alg);

const app = new Koa();
app.use(async (ctx) => {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  const vpToken = JSON.parse(new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('vp_token')!) as { account: [string] };
  const presentation = vpToken.account[0];
  const kb = presentation.slice(presentation.lastIndexOf('~') + 1);
  const nonce = (JSON.parse(Buffer.from(kb.split('.')[1]!, 'base64url').toString('utf8')) as { nonce: string }).nonce;
  const verifier = new SDJwtInstance({
    hasher,
    verifier: issuerVerifier,
    kbVerifier: async (data, signature, payload) => (await ES256.getVerifier((payload['cnf'] as { jwk: JsonWebKey }).jwk))(data, signature),
  });
  try {
    await verifier.verify(presentation, { keyBindingNonce: nonce });
    ctx.body = {};
  } catch {
    ctx.status = 401;
    ctx.body = {};
  }
});
listen(app);
