/// <reference path="../../packages/did/src/digitalbazaar.d.ts" />
// The baseline: a bare Koa app that reads the JSON body and hands the credential straight to
// the library — did-jwt-vc's verifyCredential for a JwtProof2020 credential, @digitalbazaar/vc's
// verifyCredential for a Data Integrity one — with the same offline DID resolver and JSON-LD
// document loader the kit uses, and answers {verified}.
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { createDidResolver, createDocumentLoader } from '@w3kit/did';
import { verifyCredential, verifyPresentation } from 'did-jwt-vc';
import Koa from 'koa';
import { listen } from './listen.js';

const resolver = createDidResolver({ chainId: 1 });
const documentLoader = createDocumentLoader(resolver);

const app = new Koa();
// a JWT presentation: the holder's signature and each credential's, as the kit's verify-vp does
app.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || ctx.path !== '/v2/did/verify-vp') return next();
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  const presentation = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { proof: { jwt: string } };
  try {
    const verified = await verifyPresentation(presentation.proof.jwt, resolver, { policies: { aud: false }, proofPurpose: 'authentication' });
    for (const credential of ([] as { proof: { jwt: string } }[]).concat(verified.verifiablePresentation.verifiableCredential as never)) {
      await verifyCredential(credential.proof.jwt, resolver, { proofPurpose: 'assertionMethod' });
    }
    ctx.body = { verified: true };
  } catch (error) {
    ctx.body = { verified: false, reason: (error as Error).message };
  }
});
app.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || ctx.path !== '/v2/did/verify-vc') return next();
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  const credential = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { proof: { type: string; jwt?: string } };
  if (credential.proof.type === 'JwtProof2020') {
    try {
      await verifyCredential(credential.proof.jwt!, resolver);
      ctx.body = { verified: true };
    } catch (error) {
      ctx.body = { verified: false, reason: (error as Error).message };
    }
    return;
  }
  const result = await vc.verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), documentLoader });
  ctx.body = { verified: result.verified };
});
listen(app);
