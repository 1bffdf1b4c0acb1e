import { generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import type { Jwk } from '@openid4vc/oauth2';
import { Openid4vpVerifier, type Openid4vpAuthorizationRequest } from '@openid4vc/openid4vp';
import type { AccountDirectory, Clock, EnvelopeEncryption, LoginResult, RandomSource, SdJwtVcIssuer } from '@w3kit/core';
import { oid4vpErrors } from './errors.js';
import { verifierCallbacks } from './library-callbacks.js';
import type { ResolvedOid4vpOptions } from './oid4vp-config.js';
import { checkPresentation, type OfflineVerifier, type RejectionReason } from './presentation-verifier.js';
import type { Flow, RequestRecord, RequestStore, ResponseMode } from './request-store.js';
import { sha256Hex, type VerifierIdentity } from './verifier-identity.js';

/** The id of the one credential query of a login's DCQL query (the key of its `vp_token` entry). */
export const CREDENTIAL_QUERY_ID = 'account';
// the JWS algorithms of SD-JWT VCs and key-binding JWTs the verifier checks (sd-jwt-jws.ts)
const ALGORITHMS = ['ES256', 'ES384', 'ES256K', 'EdDSA'];

export interface StartRequestInput {
  flow: Flow;
  responseMode: ResponseMode;
  /** Same-device only: where the wallet sends the browser back to. */
  redirectUri?: string;
}

export interface StartedRequest {
  transactionId: string;
  /** `openid4vp://?client_id=…&request_uri=…`: the QR code's content, or the same-device link. */
  authorizationRequest: string;
  requestUri: string;
  /** Authorizes collecting the result; shown once, only its hash is stored. */
  resultToken: string;
  expiresAt: Date;
}

export interface CollectInput {
  transactionId: string;
  resultToken: string;
  /** Same-device: the `response_code` the wallet's redirect brought back. */
  responseCode?: string;
}

/**
 * OpenID4VP login (verifier side): the site starts a request, the wallet fetches its request
 * object once and answers once, the site collects the login once. Every step is a row in the
 * database, so each may reach another instance.
 */
export interface Oid4vpService {
  readonly identity: VerifierIdentity;
  start(input: StartRequestInput): Promise<StartedRequest>;
  /** The signed request object, once: a request_uri fetched twice is refused. */
  requestObject(transactionId: string): Promise<string>;
  /** The wallet's answer (the response_uri): logs the account in for the site, or records why not. */
  respond(responseId: string, fields: Record<string, string>): Promise<{ redirect_uri?: string }>;
  collect(input: CollectInput): Promise<LoginResult>;
}

export interface Oid4vpServiceDeps {
  options: ResolvedOid4vpOptions;
  /** `<publicUrl><mountPath><base path>`: the request, response and DID document URLs are below it. */
  baseUrl: string;
  vct: string;
  identity: VerifierIdentity;
  requestStore: RequestStore;
  /** Undefined when no issuer is composed: then no login is possible (503). */
  sdJwtVcIssuer: SdJwtVcIssuer | undefined;
  /** Why no login is possible even with an issuer (an http public URL), or undefined. */
  unavailable: string | undefined;
  /** The offline checks of a presentation (presentationWorkers(): on worker threads). */
  verifyOffline: OfflineVerifier;
  accountDirectory: AccountDirectory;
  encryption: EnvelopeEncryption;
  clock: Clock;
  random: RandomSource;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,64}$/;

function secretMatches(secret: string | undefined, hash: string | null): boolean {
  if (secret === undefined || hash === null) return false;
  return timingSafeEqual(Buffer.from(sha256Hex(secret)), Buffer.from(hash));
}

export function createOid4vpService(deps: Oid4vpServiceDeps): Oid4vpService {
  const { options, baseUrl, vct, identity, requestStore, sdJwtVcIssuer, unavailable, verifyOffline, accountDirectory, encryption, clock, random } = deps;
  const sealContext = (id: string) => `oid4vp-request:${id}`;

  function requireIssuer(): SdJwtVcIssuer {
    if (unavailable) throw oid4vpErrors.create('OID4VP_UNAVAILABLE', { message: unavailable });
    if (!sdJwtVcIssuer) throw oid4vpErrors.create('OID4VP_UNAVAILABLE');
    return sdJwtVcIssuer;
  }

  function checkRedirect(input: StartRequestInput): string | null {
    if (input.flow === 'cross_device') {
      if (input.redirectUri !== undefined) throw oid4vpErrors.create('REDIRECT_NOT_ALLOWED', { message: 'A cross-device request sends the wallet nowhere: leave redirect_uri out.' });
      return null;
    }
    if (input.redirectUri === undefined) throw oid4vpErrors.create('REDIRECT_NOT_ALLOWED', { message: 'A same-device request needs the redirect_uri the wallet sends the browser back to.' });
    let url: URL;
    try {
      url = new URL(input.redirectUri);
    } catch {
      throw oid4vpErrors.create('REDIRECT_NOT_ALLOWED', { message: 'redirect_uri is not an absolute URL.' });
    }
    const allowed = options.redirectOrigins ?? [new URL(baseUrl).origin];
    // the response code travels in the fragment; a redirect_uri with its own fragment would lose it
    if (!allowed.includes(url.origin) || url.hash !== '' || url.username !== '' || url.password !== '') throw oid4vpErrors.create('REDIRECT_NOT_ALLOWED', { details: { allowed_origins: allowed } });
    return url.href;
  }

  async function gone(request: RequestRecord, at: Date): Promise<never> {
    if (request.state === 'collected') throw oid4vpErrors.create('LOGIN_RESULT_COLLECTED');
    if (request.state === 'failed') throw oid4vpErrors.create('LOGIN_FAILED', { details: { reason: request.failure } });
    if (request.state === 'completed' && request.resultExpiresAt && request.resultExpiresAt.getTime() > at.getTime()) throw oid4vpErrors.create('LOGIN_PENDING');
    if ((request.state === 'created' || request.state === 'fetched') && request.expiresAt.getTime() > at.getTime()) throw oid4vpErrors.create('LOGIN_PENDING');
    throw oid4vpErrors.create('REQUEST_EXPIRED');
  }

  return {
    identity,

    async start(input) {
      requireIssuer();
      const redirectUri = checkRedirect(input);
      const now = clock.now();
      const id = random.token(18);
      const responseId = random.token(18);
      const nonce = random.token(24);
      const resultToken = random.token(24);
      const expiresAt = new Date(now.getTime() + options.requestTtlSeconds * 1000);
      let encryptionKey: string | null = null;
      const vpFormats = { 'dc+sd-jwt': { 'sd-jwt_alg_values': ALGORITHMS, 'kb-jwt_alg_values': ALGORITHMS } };
      let clientMetadata: Record<string, unknown> = { vp_formats_supported: vpFormats };
      if (input.responseMode === 'direct_post.jwt') {
        // an ephemeral key per request (OID4VP 1.0 §8.3): a response is readable only with this row
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const privateJwk = { ...(privateKey.export({ format: 'jwk' }) as Jwk), kid: random.token(12), use: 'enc', alg: 'ECDH-ES' };
        const { d: _d, ...publicJwk } = privateJwk;
        encryptionKey = encryption.encrypt(JSON.stringify(privateJwk), sealContext(id));
        clientMetadata = { ...clientMetadata, jwks: { keys: [publicJwk] }, encrypted_response_enc_values_supported: ['A128GCM', 'A256GCM'] };
      }
      const requestUri = `${baseUrl}/requests/${id}`;
      const verifier = new Openid4vpVerifier({ callbacks: verifierCallbacks(identity) });
      const created = await verifier.createOpenId4vpAuthorizationRequest({
        authorizationRequestPayload: {
          response_type: 'vp_token',
          client_id: identity.clientId,
          response_mode: input.responseMode,
          response_uri: `${baseUrl}/responses/${responseId}`,
          nonce,
          dcql_query: {
            credentials: [{ id: CREDENTIAL_QUERY_ID, format: 'dc+sd-jwt', meta: { vct_values: [vct] }, claims: [{ path: ['sub'] }] }],
          },
          client_metadata: clientMetadata,
        },
        jar: {
          requestUri,
          jwtSigner: { method: 'did', didUrl: identity.keyId, alg: 'ES256', kid: identity.keyId },
          expiresInSeconds: options.requestTtlSeconds,
          // the static audience of OID4VP 1.0 §5.8: the kit does not know which wallet fetches
          additionalJwtPayload: { aud: 'https://self-issued.me/v2' },
        },
        now,
      });
      await requestStore.insert({
        id,
        responseId,
        nonce,
        responseMode: input.responseMode,
        flow: input.flow,
        redirectUri,
        requestObject: created.jar!.authorizationRequestJwt,
        encryptionKey,
        resultTokenHash: sha256Hex(resultToken),
        responseCodeHash: null,
        state: 'created',
        accountId: null,
        failure: null,
        createdAt: now,
        expiresAt,
        completedAt: null,
        resultExpiresAt: null,
      });
      return { transactionId: id, authorizationRequest: created.authorizationRequest, requestUri, resultToken, expiresAt };
    },

    async requestObject(transactionId) {
      const now = clock.now();
      const object = TOKEN_SHAPE.test(transactionId) ? await requestStore.fetch(transactionId, now) : null;
      if (object) return object;
      const request = TOKEN_SHAPE.test(transactionId) ? await requestStore.find(transactionId) : null;
      if (!request) throw oid4vpErrors.create('REQUEST_NOT_FOUND');
      if (request.state !== 'created') throw oid4vpErrors.create('REQUEST_URI_USED');
      throw oid4vpErrors.create('REQUEST_EXPIRED');
    },

    async respond(responseId, fields) {
      const issuer = requireIssuer();
      const now = clock.now();
      const request = TOKEN_SHAPE.test(responseId) ? await requestStore.findByResponseId(responseId) : null;
      if (!request) throw oid4vpErrors.create('REQUEST_NOT_FOUND');
      if (request.state === 'created') throw oid4vpErrors.create('REQUEST_NOT_FETCHED');
      if (request.state !== 'fetched') throw oid4vpErrors.create('REQUEST_ANSWERED');
      if (request.expiresAt.getTime() <= now.getTime()) throw oid4vpErrors.create('REQUEST_EXPIRED');
      const resultExpiresAt = new Date(now.getTime() + options.resultTtlSeconds * 1000);

      async function refuse(reason: RejectionReason | 'RESPONSE_MALFORMED', message: string): Promise<never> {
        // a request takes one answer: a refused one ends it, and the site learns why
        if (!(await requestStore.fail(request!.id, reason, now, resultExpiresAt))) throw oid4vpErrors.create('REQUEST_ANSWERED');
        if (reason === 'RESPONSE_MALFORMED') throw oid4vpErrors.create('RESPONSE_MALFORMED', { message });
        throw oid4vpErrors.create('PRESENTATION_REJECTED', { message, details: { reason } });
      }

      // the kit's own request object, signed by it: its payload needs no schema check again
      const authorizationRequestPayload = JSON.parse(Buffer.from(request.requestObject.split('.')[1]!, 'base64url').toString('utf8')) as Openid4vpAuthorizationRequest;
      const decryptionJwk = request.encryptionKey ? (JSON.parse(encryption.decrypt(request.encryptionKey, sealContext(request.id)).toString('utf8')) as Jwk) : undefined;
      const callbacks = verifierCallbacks(identity, decryptionJwk);
      const verifier = new Openid4vpVerifier({ callbacks });
      let presentation: unknown;
      try {
        const parsed = await verifier.parseOpenid4vpAuthorizationResponse({ authorizationResponse: fields, authorizationRequestPayload, callbacks });
        const entries = parsed.type === 'dcql' ? parsed.dcql.presentations[CREDENTIAL_QUERY_ID] : undefined;
        presentation = entries?.length === 1 ? entries[0] : undefined;
      } catch {
        // the library's words are for no one: they may quote the response
        return refuse(
          'RESPONSE_MALFORMED',
          request.responseMode === 'direct_post.jwt'
            ? 'The response must be a JWE (response) encrypted to this request’s key, with a vp_token for the credential query "account".'
            : 'The response must carry a vp_token with one presentation for the credential query "account".',
        );
      }
      if (typeof presentation !== 'string') return refuse('RESPONSE_MALFORMED', 'The vp_token must hold one SD-JWT VC presentation for the credential query "account".');

      const check = await checkPresentation(presentation, { audience: identity.clientId, nonce: request.nonce, vct, now, maxAgeSeconds: options.keyBindingMaxAgeSeconds }, issuer, verifyOffline);
      if (!check.ok) return refuse(check.reason, check.message);
      // one UPDATE completes the request and records the presentation's replay key (unique in
      // the table): a key-binding JWT that completed any request completes no other
      const responseCode = request.flow === 'same_device' ? random.token(24) : null;
      const completed = await requestStore.complete({
        id: request.id,
        accountId: check.accountId,
        presentationKey: check.replayKey,
        at: now,
        resultExpiresAt,
        responseCodeHash: responseCode && sha256Hex(responseCode),
      });
      if (completed === 'replayed') return refuse('PRESENTATION_REPLAYED', 'This presentation was used already; make a new one.');
      if (completed === 'not-fetched') throw oid4vpErrors.create(request.expiresAt.getTime() <= now.getTime() ? 'REQUEST_EXPIRED' : 'REQUEST_ANSWERED');
      return responseCode ? { redirect_uri: `${request.redirectUri}#response_code=${responseCode}` } : {};
    },

    async collect({ transactionId, resultToken, responseCode }) {
      const at = clock.now();
      const request = TOKEN_SHAPE.test(transactionId) ? await requestStore.find(transactionId) : null;
      if (!request) throw oid4vpErrors.create('REQUEST_NOT_FOUND');
      if (!secretMatches(resultToken, request.resultTokenHash)) throw oid4vpErrors.create('INVALID_RESULT_TOKEN');
      // same-device (OID4VP 1.0 §13.3): only the browser the wallet came back to has the code
      if (request.flow === 'same_device' && request.state === 'completed' && !secretMatches(responseCode, request.responseCodeHash)) {
        throw oid4vpErrors.create('INVALID_RESULT_TOKEN', { message: 'A same-device login is collected with the response_code of the wallet’s redirect.' });
      }
      if (request.state === 'completed' && (await requestStore.collect(request.id, at))) return accountDirectory.login(request.accountId!);
      return gone((await requestStore.find(request.id)) ?? request, at);
    },
  };
}
