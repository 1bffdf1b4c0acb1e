import type { RouteExample } from '@w3kit/core';

// The Web3Connect and Finenex documents' request samples, with their type templates made valid values.

/** Request examples of the Web3Connect account, verification and association routes. */
export const authWeb3connectExamples: Record<string, RouteExample> = {
  'POST /auth/account/access_token/refresh': { body: { api_key_secret: 'w3k_sk_2f8c1e9a7b6d4c3e5f0a1b2c3d4e5f6a' } },
  'POST /account/import': { body: { email: 'ada@example.com' } },
  'GET /account/id_wallet/:address/public_info': { params: { address: '0x52908400098527886E0F7030069857D2E4169EE7' } },
  'POST /verify/phone/step1': { body: { phone_number: '+14155550100' } },
  'POST /verify/phone/step2': { body: { tmp_token: 'c2b7f0e4-8d1a-4f6e-9b3c-5a7d2e1f0c9b', code: '123456' } },
  'POST /verify/email/step2': { body: { tmp_token: 'c2b7f0e4-8d1a-4f6e-9b3c-5a7d2e1f0c9b', code: '123456' } },
  'POST /auth/account/association/generate_web3connect_button_js': {
    body: { api_key_secret: 'w3k_sk_2f8c1e9a7b6d4c3e5f0a1b2c3d4e5f6a', redirect_url: 'https://shop.example/web3connect/done?userId=42' },
  },
};

/** Request examples of the Finenex login route. */
export const authFinenexExamples: Record<string, RouteExample> = {
  'POST /auth/auth-user': { body: { userType: 'user', id: 'ada@example.com', password: 'correct horse battery' } },
};
