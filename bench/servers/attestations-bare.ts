// The baseline: a bare Koa app that reads the same JSON body and signs the same claim with ethers
// directly (Origin's scheme: the claim hash's hex text as a personal message). No validation, no
// code check, no database, no log line: the cost of the signature alone, plus Koa.
import { keccak256, solidityPackedKeccak256, toUtf8Bytes, Wallet } from 'ethers';
import Koa from 'koa';
import { listen } from './listen.js';

const wallet = new Wallet(process.env['ATTESTATION_SIGNER_KEY']!);
const app = new Koa();
app.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || ctx.path !== '/api/attestations/phone/verify') return next();
  let raw = '';
  for await (const chunk of ctx.req) raw += String(chunk);
  const { identity } = JSON.parse(raw) as { identity: string };
  const hash = solidityPackedKeccak256(['address', 'uint256', 'bytes32'], [identity.toLowerCase(), 10, keccak256(toUtf8Bytes('phone verified'))]);
  ctx.body = { 'claim-type': 10, signature: await wallet.signMessage(hash), data: 'phone verified' };
});
listen(app);
