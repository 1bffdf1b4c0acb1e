// The baseline: a bare Koa app that reads the JSON body and hands message and signature straight
// to viem's verifySiweMessage (parse, validate domain and time, verify the signature) and answers
// {verified}. mode 'eoa' is the path the kit takes for an EOA too: ecrecover first, and no chain
// call when it recovers the address (the client's endpoint is never reached).
import Koa from 'koa';
import { createPublicClient, http } from 'viem';
import { verifySiweMessage } from 'viem/siwe';
import { listen } from './listen.js';
import { SIWE_BENCH } from './siwe-setup.js';

const client = createPublicClient({ transport: http('http://127.0.0.1:9', { retryCount: 0 }) });

const app = new Koa();
app.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || ctx.path !== '/v2/auth/siwe/verify') return next();
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  const { message, signature } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message: string; signature: `0x${string}` };
  // `mode` is verifyHash's, passed through by verifySiweMessage (its type does not list it)
  const verified = await verifySiweMessage(client, { message, signature, domain: SIWE_BENCH.domain, time: new Date(), mode: 'eoa' } as Parameters<typeof verifySiweMessage>[1]);
  ctx.status = verified ? 200 : 401;
  ctx.body = { verified };
});
listen(app);
