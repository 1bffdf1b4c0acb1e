import type { JsonWebKey } from 'node:crypto';
import { digest, ES256, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { JsonWebPublicKey, KitPlugin, SdJwtVcIssuer } from '@w3kit/core';
import { asFunction } from 'awilix';

/** What the sd-jwt-verify benchmark's pool generator, kit and baseline agree on. */
export const SD_JWT_BENCH = {
  publicUrl: 'https://bench.example',
  vct: 'https://bench.example/credentials/account',
  statusListUri: 'https://bench.example/status-lists/1',
  kid: 'bench-issuer-key',
  // requests and key-binding JWTs made before the run must still be good at its end
  oid4vpOptions: { requestTtlSeconds: 3600, keyBindingMaxAgeSeconds: 3600, resultTtlSeconds: 3600 },
};

export interface BenchKeys {
  issuerPrivate: JsonWebKey;
  issuerPublic: JsonWebPublicKey;
}

/**
 * A benchmark stand-in for the kit's SD-JWT VC issuer (oid4vci): its key from the environment
 * (BENCH_ISSUER_JWK, so every process agrees), every status valid, `sub` an account id.
 */
export function benchIssuerPlugin(keys: BenchKeys) {
  return {
    name: 'bench-sd-jwt-vc-issuer',
    requires: ['auth'],
    register(container) {
      container.register({
        sdJwtVcIssuer: asFunction(({ accountDirectory }): SdJwtVcIssuer => ({
          issuer: SD_JWT_BENCH.publicUrl,
          issuerKey: async (kid) => (kid === SD_JWT_BENCH.kid ? keys.issuerPublic : undefined),
          accountIdForSubject: async (sub) => (await accountDirectory.get(sub))?.id,
          statusOf: async ({ uri }) => (uri === SD_JWT_BENCH.statusListUri ? 'valid' : undefined),
        })).singleton(),
      });
    },
  } satisfies KitPlugin;
}

export function benchKeysFromEnv(): BenchKeys {
  const issuerPrivate = JSON.parse(process.env['BENCH_ISSUER_JWK'] ?? '') as JsonWebKey;
  const { kty, crv, x, y } = issuerPrivate;
  return { issuerPrivate, issuerPublic: { kty: kty!, crv: crv!, x: x!, y: y! } };
}

/** The SD-JWT VC of the account, bound to the holder's key, `sub` selectively disclosable. */
export async function benchCredential(keys: BenchKeys, accountId: string, holderPublic: JsonWebKey): Promise<string> {
  const issuer = new SDJwtVcInstance({ signer: await ES256.getSigner(keys.issuerPrivate), signAlg: 'ES256', hasher: digest, hashAlg: 'sha-256', saltGenerator: generateSalt });
  return issuer.issue(
    {
      iss: SD_JWT_BENCH.publicUrl,
      vct: SD_JWT_BENCH.vct,
      iat: Math.floor(Date.now() / 1000),
      sub: accountId,
      email: 'bench@example.com',
      name: 'Bench Holder',
      cnf: { jwk: holderPublic },
      status: { status_list: { idx: 0, uri: SD_JWT_BENCH.statusListUri } },
    },
    { _sd: ['sub', 'email', 'name'] },
    { header: { kid: SD_JWT_BENCH.kid, typ: 'dc+sd-jwt' } },
  );
}
