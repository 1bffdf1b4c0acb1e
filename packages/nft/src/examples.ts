import type { RouteExample } from '@w3kit/core';

// The Web3Connect document's request samples, with its type templates ("url", "text") made valid values.
const GPS = { gps: { latitude: '26.583193', longitude: '128.053881' } };
const TOKEN_ID = '0x5f6e3c1d2a0b4e8f9c7d6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';

/** Request examples of the NFT routes, for the API reference. */
export const nftExamples: Record<string, RouteExample> = {
  'POST /nft/mint/to/:holder_id_wallet_address': {
    params: { holder_id_wallet_address: '0x52908400098527886E0F7030069857D2E4169EE7' },
    body: {
      metadata: {
        static: {
          issuer: 'Acme University',
          contents_provider: 'Acme',
          name: 'Bachelor of Science',
          description: 'Awarded for completing the programme.',
          image: 'https://acme.example/diploma.png',
          link: 'https://acme.example/diploma',
          serial_number: 123,
          total_issued: 321,
          animation_url: 'https://acme.example/diploma.mp4',
          expired_at: '2030-12-31T12:34:56.000Z',
        },
        dynamic: { external_url: 'https://acme.example/alumni', category: 'diploma', program_name: 'Computer Science' },
      },
      visibility: 'public',
    },
  },
  'POST /nft/:token_id/verification/qr_code/step1': { params: { token_id: TOKEN_ID }, body: GPS },
  'POST /nft/verification/qr_code/step2': { query: { c: 'Q7X2M9K4' }, body: GPS },
  'GET /nft/verification/qr_code/result': { query: { c: 'Q7X2M9K4' } },
  'PUT /nft/:token_id/visibility': { params: { token_id: TOKEN_ID }, body: { to: 'public' } },
  'POST /nft/minted_by_me/search': { body: { category: 'diploma' } },
  'POST /nft/search': { body: { issuer: 'Acme University' } },
};
