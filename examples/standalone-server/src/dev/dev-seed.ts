import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kit, Principal } from '@w3kit/core';
import type { ServerConfig } from '../env-config.js';

/** What `w3kit dev seed` made: every secret a person needs for the first requests. */
export interface DemoSeed {
  organization: { account_id: string; name: string; domain: string; api_key_secret: string; access_token: string };
  user: { account_id: string; login_id: string; password: string; id_wallet_address: string; did: string; access_token: string };
  nft: { token_id: string };
  /** Where the issued VC was written, for `curl --data-binary @file`. */
  vc_file: string;
  /** Shell variables of the seed (`. <file>`), for the README's one-line steps. */
  env_file: string;
}

/**
 * The demo data of a development machine: an organization whose domain the operator override
 * marked verified (no DNS), an end user with an ID wallet and a did:ethr, an NFT minted to the
 * user, and a VC issued to the user. Every run makes new accounts (a random suffix), so a second
 * run never collides with the first.
 */
export async function seedDemo(kit: Kit, config: ServerConfig): Promise<DemoSeed> {
  const { accountService, verificationService, nftService, didService, credentialService } = kit.services;
  const suffix = randomBytes(3).toString('hex');
  const { account: org, apiKeySecret } = await accountService.createOrganization({ name: `Demo Organization ${suffix}`, domain: `demo-${suffix}.example.com`, email: `org-${suffix}@example.com` });
  await verificationService.verifyDomainByOperator(org.id, { operator: 'w3kit dev seed', mode: config.mode });
  const orgToken = await accountService.accessTokenForApiKey(apiKeySecret);

  const password = randomBytes(12).toString('base64url');
  const user = await accountService.ensureWallet(await accountService.createEndUser({ loginId: `demo-${suffix}`, password, email: `user-${suffix}@example.com`, name: 'Demo User' }));
  const login = await accountService.loginWithPassword(`demo-${suffix}`, password, '127.0.0.1');
  const userPrincipal: Principal = { accountId: user.id, accountType: 'end_user' };
  const orgPrincipal: Principal = { accountId: org.id, accountType: 'organization' };

  const minted = await nftService.mint(orgPrincipal, {
    holderAddress: user.wallet.address,
    metadata: {
      static: {
        issuer: org.name ?? '',
        contents_provider: org.name ?? '',
        name: 'Demo membership card',
        description: 'An NFT minted by `w3kit dev seed`.',
        image: 'https://example.com/demo-card.png',
        link: 'https://example.com/',
        serial_number: 1,
        total_issued: 1,
        animation_url: '',
      },
      dynamic: { category: 'membership' },
    },
    visibility: 'public',
  });
  const identifier = await didService.createDid(userPrincipal, { alias: `demo-${suffix}`, address: user.wallet.address });
  const vc = await credentialService.createVc(userPrincipal, { holder: identifier.did, userInfo: { name: 'Demo User', email: `user-${suffix}@example.com` } });
  const vcFile = join(config.dataDir, 'demo-vc.json');
  writeFileSync(vcFile, `${JSON.stringify(vc)}\n`, { mode: 0o600 });
  const envFile = join(config.dataDir, 'demo.env');
  const variables = {
    W3KIT_URL: config.publicUrl,
    ORG_ID: org.id,
    ORG_SECRET: apiKeySecret,
    ORG_TOKEN: orgToken,
    USER_LOGIN: `demo-${suffix}`,
    USER_PASSWORD: password,
    USER_TOKEN: login.token,
    USER_WALLET: user.wallet.address,
    USER_DID: identifier.did,
    NFT_ID: minted.token_id,
    VC_FILE: vcFile,
  };
  // values are base64url, hex, UUIDs and URLs: single quotes are enough for a POSIX shell
  writeFileSync(
    envFile,
    `${Object.entries(variables)
      .map(([k, v]) => `export ${k}='${v}'`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
  return {
    organization: { account_id: org.id, name: org.name ?? '', domain: org.domain!, api_key_secret: apiKeySecret, access_token: orgToken },
    user: { account_id: user.id, login_id: `demo-${suffix}`, password, id_wallet_address: user.wallet.address, did: identifier.did, access_token: login.token },
    nft: { token_id: minted.token_id },
    vc_file: vcFile,
    env_file: envFile,
  };
}

/** The seed as a person reads it: the secrets, then ready curl lines. */
export function describeSeed(seed: DemoSeed, base: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `Demo data created (development only; secrets shown once):

organization  ${seed.organization.name}  (domain ${seed.organization.domain}, verified by the operator override)
  account_id      ${seed.organization.account_id}
  api_key_secret  ${seed.organization.api_key_secret}
end user      login id ${seed.user.login_id}  password ${seed.user.password}
  account_id      ${seed.user.account_id}
  ID wallet       ${seed.user.id_wallet_address}
  DID             ${seed.user.did}
NFT           token_id ${seed.nft.token_id}
VC            written to ${seed.vc_file}
Shell variables of all of it: . ${seed.env_file}

Try (the server must be running: pnpm start):
  # an access token from the organization's API key secret
  curl -s -X POST ${base}/rest/v1/auth/account/access_token/refresh -H 'content-type: application/json' -d ${q(JSON.stringify({ api_key_secret: seed.organization.api_key_secret }))}
  # the NFT
  curl -s ${base}/rest/v1/nft/${seed.nft.token_id} -H ${q(`authorization: Bearer ${seed.organization.access_token}`)}
  # the user's own info
  curl -s ${base}/rest/v1/account/my_info -H ${q(`authorization: Bearer ${seed.user.access_token}`)}
  # verify the VC
  curl -s -X POST ${base}/v2/did/verify-vc -H 'content-type: application/json' --data-binary @${seed.vc_file}
  # the codes the development senders "sent"
  open ${base}/dev/outbox
`;
}
