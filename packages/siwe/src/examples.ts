import type { RouteExample } from '@w3kit/core';

/** An EIP-4361 message as a wallet signs it (the nonce from GET /v2/auth/siwe/nonce) and its 65-byte signature. */
const SIGNED = {
  message: [
    'localhost:3000 wants you to sign in with your Ethereum account:',
    '0x52908400098527886E0F7030069857D2E4169EE7',
    '',
    'Sign in to w3kit.',
    '',
    'URI: http://localhost:3000',
    'Version: 1',
    'Chain ID: 1',
    'Nonce: 8f3kZp1qLw7Xc2Vb',
    'Issued At: 2026-01-01T00:00:00.000Z',
  ].join('\n'),
  signature: `0x${'5a'.repeat(64)}1b`,
};

/** Request examples of the Sign-In with Ethereum routes. */
export const siweExamples: Record<string, RouteExample> = {
  'POST /auth/siwe/verify': { body: SIGNED },
  'POST /auth/siwe/link': { body: SIGNED },
};
