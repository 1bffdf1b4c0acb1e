import { createHash, generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { clientAuthenticationNone, type Jwk } from '@openid4vc/oauth2';
import { Openid4vciClient, type CredentialOfferObject } from '@openid4vc/openid4vci';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { importJWK, SignJWT } from 'jose';
import { answerOf, type KitConnection } from './kit-connection.js';
import { WalletError } from './wallet-error.js';
import type { StoredSdJwtVc, WalletFile } from './wallet-file.js';

/** A new P-256 key for `holderKey` (the issuer binds ES256, ES384 or EdDSA keys, not secp256k1). */
export function newHolderKey(): JsonWebKey {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
}

/** The public half of a private JWK. */
export const publicJwkOf = ({ kty, crv, x, y }: JsonWebKey): Jwk => ({ kty: kty!, crv: crv!, x: x!, y: y! });

const sha = (data: Uint8Array, alg: string) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest();

/**
 * A verifier for JWTs of the issuer (the credential and its status list token): the key of the
 * JWT's `kid` among the issuer's `/.well-known/jwt-vc-issuer` keys (SD-JWT VC §5).
 */
async function issuerVerifier(kit: KitConnection, issuer: string) {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const res = await kit.fetch(`${url.origin}/.well-known/jwt-vc-issuer${path}`, { headers: { accept: 'application/json' } });
  const keys = res.ok ? (((await res.json()) as { jwks?: { keys?: Jwk[] } }).jwks?.keys ?? []) : [];
  if (keys.length === 0) throw new WalletError(`the issuer ${issuer} publishes no keys (/.well-known/jwt-vc-issuer answered ${res.status}); the credential cannot be checked`);
  return async (data: string, signature: string) => {
    const { kid } = JSON.parse(Buffer.from(data.split('.')[0]!, 'base64url').toString()) as { kid?: string };
    const key = keys.find((k) => k.kid === kid);
    return key ? (await ES256.getVerifier(key))(data, signature) : false;
  };
}

export interface Received {
  stored: StoredSdJwtVc;
  /** The claims the credential can disclose (one disclosure each). */
  claims: string[];
}

/**
 * `wallet receive`: the pre-authorized code flow of OID4VCI 1.0 with the OpenWallet Foundation's
 * `Openid4vciClient` (offer, metadata, token with the tx code, nonce, proof JWT, credential),
 * then the SD-JWT VC checked with `@sd-jwt/sd-jwt-vc` against the issuer's key and status list.
 * `remember` keeps the resolved offer in the wallet file before the token request, so a retry
 * after a wrong or missing tx code needs no second offer fetch (the kit serves it once).
 */
export async function receiveCredential(
  wallet: WalletFile,
  kit: KitConnection,
  input: { offerUri: string; txCode: string | undefined; holderKey: JsonWebKey },
  remember: (offer: CredentialOfferObject | undefined) => void,
): Promise<Received> {
  const publicJwk = publicJwkOf(input.holderKey);
  const privateKey = await importJWK(input.holderKey as Parameters<typeof importJWK>[0], 'ES256');
  const client = new Openid4vciClient({
    callbacks: {
      hash: sha,
      generateRandom: (bytes) => randomBytes(bytes),
      fetch: kit.fetch,
      clientAuthentication: clientAuthenticationNone({ clientId: 'w3kit-dev-wallet' }),
      async signJwt(_signer, { header, payload }) {
        return { jwt: await new SignJWT(payload).setProtectedHeader(header).sign(privateKey), signerJwk: publicJwk };
      },
    },
  });

  let offer = wallet.pendingOffers?.[input.offerUri]?.offer as CredentialOfferObject | undefined;
  if (!offer) {
    try {
      offer = await client.resolveCredentialOffer(input.offerUri);
    } catch (error) {
      if (answerOf(error)?.status === 404) throw new WalletError('the offer has expired or was used already (an offer works once, for a few minutes); ask for a new one');
      throw new WalletError(`"${input.offerUri}" is not a credential offer this wallet can read: ${(error as Error).message}`);
    }
  }
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  const credentialConfigurationId = offer.credential_configuration_ids[0]!;
  const configuration = issuerMetadata.credentialIssuer.credential_configurations_supported[credentialConfigurationId];
  if (configuration?.format !== 'dc+sd-jwt') {
    throw new WalletError(`this wallet receives SD-JWT VCs (dc+sd-jwt) only; the offer is for ${configuration?.format ?? 'an unknown format'} (${credentialConfigurationId})`);
  }
  const txCodeWanted = offer.grants?.['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.tx_code;
  if (txCodeWanted && !input.txCode) {
    remember(offer);
    // asked before the token request: a token request without the code uses up one of the offer's tries
    throw new WalletError(
      `this offer needs a transaction code${txCodeWanted.length ? ` of ${txCodeWanted.length} digits` : ''} (${(txCodeWanted.description ?? 'sent to you by SMS or email').replace(/\.$/, '')}): run the same command with --tx-code <code> (in development the code is on /dev/outbox)`,
    );
  }
  remember(offer);

  let accessToken: string;
  try {
    const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer: offer,
      issuerMetadata,
      ...(txCodeWanted && input.txCode ? { txCode: input.txCode } : {}),
    });
    accessToken = accessTokenResponse.access_token;
  } catch (error) {
    const answer = answerOf(error);
    const description = typeof answer?.body['error_description'] === 'string' ? answer.body['error_description'] : (error as Error).message;
    // a wrong code leaves the offer redeemable (its tries are bounded); anything else ends it
    if (/transaction code is wrong/i.test(description)) throw new WalletError('the transaction code is wrong; run the same command with the code that was sent (an offer allows a few tries)');
    remember(undefined);
    throw new WalletError(`the issuer refused the offer: ${description}`);
  }
  remember(undefined);

  const { c_nonce } = await client.requestNonce({ issuerMetadata });
  const { jwt } = await client.createCredentialRequestJwtProof({ issuerMetadata, credentialConfigurationId, nonce: c_nonce, signer: { method: 'jwk', alg: 'ES256', publicJwk } });
  const { credentialResponse } = await client.retrieveCredentials({ issuerMetadata, accessToken, credentialConfigurationId, proof: { proof_type: 'jwt', jwt } });
  const first = credentialResponse.credentials?.[0];
  const credential: unknown = first && typeof first === 'object' && 'credential' in first ? first.credential : first;
  if (typeof credential !== 'string') throw new WalletError('the issuer answered no SD-JWT VC');

  const verifier = await issuerVerifier(kit, offer.credential_issuer);
  const sdJwt = new SDJwtVcInstance({
    hasher: digest,
    verifier,
    statusListFetcher: async (uri) => (await kit.fetch(uri, { headers: { accept: 'application/statuslist+jwt' } })).text(),
  });
  let payload: Record<string, unknown>;
  try {
    payload = (await sdJwt.verify(credential)).payload;
  } catch (error) {
    throw new WalletError(`the credential the issuer sent does not verify: ${(error as Error).message}`);
  }
  const bound = (payload['cnf'] as { jwk?: Jwk } | undefined)?.jwk;
  if (payload['iss'] !== offer.credential_issuer || bound?.x !== publicJwk.x || bound?.y !== publicJwk.y) {
    throw new WalletError('the credential the issuer sent is not from the offer’s issuer or not bound to this wallet’s key');
  }
  const claims = ((await sdJwt.decode(credential)).disclosures ?? []).map((d) => d.key).filter((k): k is string => typeof k === 'string');
  return {
    stored: { format: 'dc+sd-jwt', issuer: offer.credential_issuer, vct: String(payload['vct']), credentialConfigurationId, credential, receivedAt: new Date().toISOString() },
    claims,
  };
}
