import { createHash, randomBytes, type JsonWebKey } from 'node:crypto';
import type { CallbackContext, HashAlgorithm, Jwk } from '@openid4vc/oauth2';
import { Openid4vpClient, type Openid4vpAuthorizationRequest } from '@openid4vc/openid4vp';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { CompactEncrypt, compactVerify, importJWK } from 'jose';
import { answerOf, type KitConnection } from './kit-connection.js';
import { WalletError } from './wallet-error.js';
import type { StoredSdJwtVc } from './wallet-file.js';

/** One credential query of a DCQL query (OID4VP 1.0 §6), the parts this wallet evaluates. */
interface CredentialQuery {
  id: string;
  format: string;
  meta?: { vct_values?: string[] };
  claims?: { id?: string; path: (string | number | null)[] }[];
  claim_sets?: string[][];
}

export interface Match {
  queryId: string;
  stored: StoredSdJwtVc;
  /** The top-level claims the query asks for (what the verifier gets of the credential's claims). */
  claims: string[];
  /** The ones of them that are selectively disclosable: their disclosures are sent, no others. */
  disclose: string[];
}

const sdJwtOf = () => new SDJwtVcInstance({ hasher: digest, hashAlg: 'sha-256' });

/**
 * Evaluates the request's DCQL query against the wallet's SD-JWT VCs: for each credential query,
 * the newest credential of its format and vct that can disclose every claim of one of its claim
 * sets (or of all its claims). Claims are named by top-level paths: the kit's verifier asks for
 * `["sub"]`; a deeper path or an array index is not something this wallet can select.
 */
export async function matchDcql(query: { credentials?: CredentialQuery[] }, stored: StoredSdJwtVc[]): Promise<Match[] | { missing: CredentialQuery }> {
  const matches: Match[] = [];
  for (const wanted of query.credentials ?? []) {
    const claims = wanted.claims ?? [];
    const sets = wanted.claim_sets?.map((ids) => claims.filter((c) => c.id !== undefined && ids.includes(c.id))) ?? [claims];
    let found: Match | undefined;
    for (const candidate of [...stored].reverse()) {
      if (candidate.format !== wanted.format || (wanted.meta?.vct_values && !wanted.meta.vct_values.includes(candidate.vct))) continue;
      const decoded = await sdJwtOf().decode(candidate.credential);
      const disclosable = new Set((decoded.disclosures ?? []).map((d) => d.key));
      // a claim the issuer did not make disclosable is in the signed payload, shown to every verifier anyway
      const visible = new Set(Object.keys(decoded.jwt?.payload ?? {}).filter((k) => k !== '_sd' && k !== '_sd_alg'));
      const set = sets.find((s) => s.every((c) => c.path.length === 1 && typeof c.path[0] === 'string' && (disclosable.has(c.path[0]) || visible.has(c.path[0]))));
      if (set) {
        const claims = set.map((c) => c.path[0] as string);
        found = { queryId: wanted.id, stored: candidate, claims, disclose: claims.filter((claim) => disclosable.has(claim)) };
        break;
      }
    }
    if (!found) return { missing: wanted };
    matches.push(found);
  }
  return matches;
}

/** did:web → the URL of its DID document (did:web method §3.2). */
function didWebDocumentUrl(did: string): string {
  const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  return `https://${host}/${path.length > 0 ? path.join('/') : '.well-known'}/did.json`;
}

const sha = (data: Uint8Array, alg: HashAlgorithm) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest();

/**
 * The wallet's OID4VP client. `refusals` collects the kit's error answers as they arrive: the
 * library reports a refused request_uri fetch by its status only, and the kit's `code` says why.
 */
function presentationClient(kit: KitConnection, refusals: { status: number; body: Record<string, unknown> }[]): Openid4vpClient {
  const recordingFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await kit.fetch(input, init);
    if (!res.ok) {
      try {
        refusals.push({ status: res.status, body: (await res.clone().json()) as Record<string, unknown> });
      } catch {
        refusals.push({ status: res.status, body: {} });
      }
    }
    return res;
  }) as typeof fetch;
  const callbacks: Omit<CallbackContext, 'generateRandom' | 'clientAuthentication'> = {
    fetch: recordingFetch,
    hash: sha,
    // the request object is signed by the verifier's did:web key (the kit's client id scheme, decentralized_identifier)
    async verifyJwt(signer, { compact }) {
      if (signer.method !== 'did' || !signer.didUrl.startsWith('did:web:')) return { verified: false };
      const res = await kit.fetch(didWebDocumentUrl(signer.didUrl.split('#')[0]!), { headers: { accept: 'application/did+json, application/json' } });
      if (!res.ok) return { verified: false };
      const document = (await res.json()) as { verificationMethod?: { id: string; publicKeyJwk?: Jwk }[] };
      const method = document.verificationMethod?.find((m) => m.id === signer.didUrl);
      if (!method?.publicKeyJwk) return { verified: false };
      try {
        await compactVerify(compact, await importJWK(method.publicKeyJwk, signer.alg));
        return { verified: true, signerJwk: method.publicKeyJwk };
      } catch {
        return { verified: false };
      }
    },
    async encryptJwe(encryptor, data) {
      const header = {
        alg: encryptor.alg,
        enc: encryptor.enc,
        ...(encryptor.publicJwk.kid ? { kid: encryptor.publicJwk.kid } : {}),
        ...(encryptor.apu ? { apu: encryptor.apu } : {}),
        ...(encryptor.apv ? { apv: encryptor.apv } : {}),
      };
      const jwe = await new CompactEncrypt(new TextEncoder().encode(data)).setProtectedHeader(header).encrypt(await importJWK(encryptor.publicJwk, encryptor.alg));
      return { jwe, encryptionJwk: encryptor.publicJwk };
    },
    signJwt() {
      throw new WalletError('this wallet answers with encrypted (direct_post.jwt) or plain (direct_post) responses, not signed ones');
    },
    decryptJwe() {
      throw new WalletError('this wallet decrypts nothing');
    },
  };
  return new Openid4vpClient({ callbacks });
}

/** What this wallet can do to a response (the JARM metadata the library matches the request's against): encrypt, never sign. */
const WALLET_ENCRYPTION = {
  authorization_signing_alg_values_supported: [],
  authorization_encryption_alg_values_supported: ['ECDH-ES'],
  authorization_encryption_enc_values_supported: ['A128GCM', 'A256GCM'],
};

const USED = 'this login request was used already (a request is fetched and answered once); reload the login page for a new one';

/** A refusal of the verifier, as a sentence: its `code`, and `reason` for a refused presentation. */
function refusal(answer: { status: number; body: Record<string, unknown> } | undefined, what: string): WalletError {
  const code = answer?.body['code'];
  if (code === 'REQUEST_URI_USED' || code === 'REQUEST_ANSWERED') return new WalletError(USED);
  if (code === 'REQUEST_EXPIRED' || code === 'REQUEST_NOT_FOUND') return new WalletError('this login request has expired or is unknown; reload the login page for a new one');
  const reason = typeof answer?.body['reason'] === 'string' ? ` (${answer.body['reason']})` : '';
  const message = typeof answer?.body['message'] === 'string' ? answer.body['message'] : 'no reason given';
  return new WalletError(`${what}: the verifier answered ${answer?.status ?? 'nothing'} ${String(code ?? '')} ${message}${reason}`.replace(/ {2,}/g, ' '));
}

export interface Presented {
  clientId: string;
  responseMode: string;
  disclosed: { credential: string; issuer: string; claims: string[]; disclosures: string[] }[];
  redirectUri?: string;
}

/**
 * `wallet present`: reads the `openid4vp://` request (the QR code's text), fetches the request
 * object by `request_uri` and checks its signature (`Openid4vpClient` with a did:web lookup),
 * selects credentials by the DCQL query, discloses only the claims asked for, adds a key-binding
 * JWT (aud = the client id, nonce = the request's), and posts the response the way the request
 * asks: `direct_post`, or `direct_post.jwt` encrypted to the request's key.
 */
export async function presentCredentials(kit: KitConnection, authorizationRequest: string, stored: StoredSdJwtVc[], holderKey: JsonWebKey | undefined): Promise<Presented> {
  const refusals: { status: number; body: Record<string, unknown> }[] = [];
  const client = presentationClient(kit, refusals);
  let params: Parameters<Openid4vpClient['resolveOpenId4vpAuthorizationRequest']>[0]['authorizationRequestPayload'];
  try {
    params = client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: authorizationRequest.trim() }).params;
  } catch {
    throw new WalletError(`"${authorizationRequest}" is not an OpenID4VP request: copy the openid4vp://… text under the QR code of /oid4vp/login`);
  }
  if (!('request_uri' in params) || typeof params.request_uri !== 'string')
    throw new WalletError('the request names no request_uri: this wallet answers requests by reference (signed request objects) only');

  let resolved: Awaited<ReturnType<Openid4vpClient['resolveOpenId4vpAuthorizationRequest']>>;
  try {
    resolved = await client.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: params });
  } catch (error) {
    const answer = refusals.at(-1) ?? answerOf(error);
    if (answer) throw refusal(answer, 'could not fetch the request');
    throw new WalletError(`the request object does not check out: ${(error as Error).message}`);
  }
  const request = resolved.authorizationRequestPayload as Openid4vpAuthorizationRequest;
  const clientId = resolved.client.effective;
  const query = resolved.dcql?.query as { credentials?: CredentialQuery[] } | undefined;
  if (!query) throw new WalletError(`${clientId} asks with a presentation definition; this wallet answers DCQL queries only`);

  const matched = await matchDcql(query, stored);
  if (!Array.isArray(matched)) {
    const { missing } = matched;
    const claims = (missing.claims ?? []).map((c) => c.path.join('.')).join(', ');
    throw new WalletError(
      `no credential in the wallet matches what ${clientId} asks for (${missing.format}${missing.meta?.vct_values ? ` of vct ${missing.meta.vct_values.join(' or ')}` : ''}${claims ? ` disclosing ${claims}` : ''}); get one with \`w3kit wallet receive '<offer>'\`, then reload the login page`,
    );
  }
  if (!holderKey) throw new WalletError('the wallet file has SD-JWT VCs but no holderKey to present them with');

  const holder = new SDJwtVcInstance({ hasher: digest, hashAlg: 'sha-256', kbSigner: await ES256.getSigner(holderKey), kbSignAlg: 'ES256' });
  const vpToken: Record<string, string[]> = {};
  for (const m of matched) {
    const kb = { payload: { iat: Math.floor(Date.now() / 1000), aud: clientId, nonce: request.nonce } };
    vpToken[m.queryId] = [await holder.present(m.stored.credential, Object.fromEntries(m.disclose.map((claim) => [claim, true])), { kb })];
  }

  const encrypted = request.response_mode === 'direct_post.jwt';
  const response = await client.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: { vp_token: vpToken },
    ...(encrypted
      ? {
          jarm: {
            encryption: { nonce: randomBytes(16).toString('base64url') },
            serverMetadata: WALLET_ENCRYPTION,
          },
        }
      : {}),
  });
  const submitted = await client.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: response.authorizationResponsePayload,
    ...(response.jarm ? { jarm: { responseJwt: response.jarm.responseJwt } } : {}),
  });
  let body: Record<string, unknown> = {};
  try {
    body = (await submitted.response.json()) as Record<string, unknown>;
  } catch {
    // an empty or non-JSON answer: the status says enough
  }
  if (!submitted.response.ok) throw refusal({ status: submitted.response.status, body }, 'the presentation was refused');
  return {
    clientId,
    responseMode: String(request.response_mode),
    disclosed: matched.map((m) => ({ credential: m.stored.vct, issuer: m.stored.issuer, claims: m.claims, disclosures: m.disclose })),
    ...(typeof body['redirect_uri'] === 'string' ? { redirectUri: body['redirect_uri'] } : {}),
  };
}
