// The peer: a Veramo 7 agent (@veramo/core with the W3C credential plugin and its JWT provider,
// the DID resolver plugin) behind Veramo's own Express remote server, exposing verifyCredential at
// POST /agent/verifyCredential ({ credential }). Its resolver is the kit's offline one, so both
// resolve the seed's did:ethr without a node.
import { createAgent, type ICredentialVerifier, type IResolver } from '@veramo/core';
import { CredentialProviderJWT } from '@veramo/credential-jwt';
import { CredentialPlugin } from '@veramo/credential-w3c';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import { AgentRouter, RequestWithAgentRouter } from '@veramo/remote-server';
import { createDidResolver } from '@w3kit/did';
import express from 'express';

const agent = createAgent<IResolver & ICredentialVerifier>({
  plugins: [new DIDResolverPlugin({ resolver: createDidResolver({ chainId: 1 }) }), new CredentialPlugin([new CredentialProviderJWT()])],
});

const app = express();
app.use(express.json({ limit: '1mb' }));
app.use('/agent', RequestWithAgentRouter({ agent }), AgentRouter({ exposedMethods: ['verifyCredential'] }));
const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
