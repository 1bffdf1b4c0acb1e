import { authorizationCodeGrantIdentifier, preAuthorizedCodeGrantIdentifier, Oauth2ServerErrorResponseError, type RequestLike } from '@openid4vc/oauth2';
import type { Clock, EmailSender, EnvelopeEncryption, Principal, RandomSource, RateLimiter, SmsSender } from '@w3kit/core';
import type { AccountService, AccountStore } from '@w3kit/auth';
import { oid4vciErrors } from './errors.js';
import type { IssuerMetadata } from './metadata.js';
import { renderOfferPage } from './offer-page.js';
import type { ResolvedOid4vciOptions } from './oid4vci-config.js';
import type { OfferGrantType, OfferStore } from './offer-store.js';
import type { Protocol } from './protocol.js';

export type TxCodeChannel = 'sms' | 'email';

export interface NewOfferRequest {
  credentialConfigurationId: string;
  /** The account the credential is about: the caller's own by default; an organization must name one of its associated end users. */
  accountId?: string;
  /** Where the tx_code goes (the account's phone or email); none without. */
  txCode?: TxCodeChannel;
  /** The offer's grant: a pre-authorized code (default), or an issuer_state for the authorization code flow through the OP. */
  grant?: OfferGrantType;
}

export interface CreatedOffer {
  offer_id: string;
  /** `openid-credential-offer://?credential_offer_uri=…`, the QR code's content. */
  credential_offer: string;
  credential_offer_uri: string;
  /** The page that shows the offer as a QR code. */
  page_url: string;
  expires_at: string;
  tx_code_sent_to: TxCodeChannel | null;
}

export interface OfferService {
  create(principal: Principal, request: NewOfferRequest): Promise<CreatedOffer>;
  /** The offer document of `credential_offer_uri`, served once; 404 OFFER_NOT_FOUND afterwards. */
  offerDocument(reference: string): Promise<Record<string, unknown>>;
  /** The token endpoint: exchanges a pre-authorized code (and tx_code) for an access token, once. */
  token(request: RequestLike, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** The page of an offer not fetched yet: the QR code of `openid-credential-offer://…`; 404 OFFER_NOT_FOUND otherwise. */
  offerPage(reference: string): Promise<string>;
}

export interface OfferServiceDeps {
  options: ResolvedOid4vciOptions;
  metadata: IssuerMetadata;
  protocol: Protocol;
  store: OfferStore;
  accountService: AccountService;
  accountStore: AccountStore;
  encryption: EnvelopeEncryption;
  random: RandomSource;
  rateLimiter: RateLimiter;
  smsSender: SmsSender;
  emailSender: EmailSender;
  clock: Clock;
}

const REFERENCE = /^[A-Za-z0-9_-]{43}$/;
const sealContext = (offerId: string) => `oid4vci.pre-authorized-code:${offerId}`;

export function createOfferService(deps: OfferServiceDeps): OfferService {
  const { options, metadata, protocol, store, accountService, accountStore, encryption, random, rateLimiter, smsSender, emailSender, clock } = deps;
  const digest = (purpose: string, value: string) => encryption.digest(`oid4vci.${purpose}`, value);
  const offerUri = (reference: string) => `${metadata.baseUrl}/offers/${reference}`;

  /** The account an offer is for, with the caller's right to offer it checked. */
  async function subjectOf(principal: Principal, accountId: string | undefined) {
    if (principal.accountType === 'end_user') {
      if (accountId !== undefined && accountId !== principal.accountId) throw oid4vciErrors.create('OFFER_FORBIDDEN', { message: 'An end user creates offers for their own account only.' });
      return principal.accountId;
    }
    if (accountId === undefined)
      throw oid4vciErrors.create('INVALID_REQUEST', { message: 'An organization names the end user the offer is for (account_id).', issues: [{ field: 'account_id', message: 'is required.' }] });
    // an organization may offer a credential only to an end user who is associated with it
    if (!(await accountStore.isAssociated(principal.accountId, accountId))) throw oid4vciErrors.create('OFFER_FORBIDDEN', { message: 'The end user is not associated with your organization.' });
    return accountId;
  }

  async function sendTxCode(accountId: string, channel: TxCodeChannel, code: string) {
    const account = await accountService.get(accountId);
    const text = `Your code to receive your credential: ${code}. It is valid for ${Math.round(options.offerTtlSeconds / 60)} minutes. Do not share it.`;
    if (channel === 'sms') {
      if (!account?.phoneNumber) throw oid4vciErrors.create('NO_CONTACT_FOR_TX_CODE');
      await smsSender.send({ to: account.phoneNumber, text });
    } else {
      if (!account?.email) throw oid4vciErrors.create('NO_CONTACT_FOR_TX_CODE');
      await emailSender.send({ to: account.email, subject: 'Your credential code', text });
    }
  }

  const credentialOfferLink = (reference: string) => `openid-credential-offer://?${new URLSearchParams({ credential_offer_uri: offerUri(reference) }).toString()}`;

  return {
    async offerPage(reference) {
      const offer = REFERENCE.test(reference) ? await store.findUnfetched(digest('offer-ref', reference), clock.now()) : undefined;
      if (!offer) throw oid4vciErrors.create('OFFER_NOT_FOUND');
      return renderOfferPage(credentialOfferLink(reference), offer.txCodeHash !== null);
    },

    async create(principal, request) {
      if (!metadata.configurationIds.includes(request.credentialConfigurationId)) throw oid4vciErrors.create('UNKNOWN_CREDENTIAL_CONFIGURATION', { details: { supported: metadata.configurationIds } });
      const grantType = request.grant ?? 'pre-authorized_code';
      if (grantType === 'authorization_code') {
        if (!metadata.openIdProvider) throw oid4vciErrors.create('GRANT_UNAVAILABLE');
        if (request.txCode)
          throw oid4vciErrors.create('GRANT_UNAVAILABLE', { message: 'A tx_code goes with the pre-authorized code only: the authorization code flow signs the end user in at the OP.' });
      }
      const accountId = await subjectOf(principal, request.accountId);
      // offers cost a row, and with a tx_code an SMS or email: bounded per creator
      await rateLimiter.enforce('oid4vci.offer', principal.accountId);
      const id = random.uuid();
      const reference = random.token(32);
      const code = random.token(32);
      const txCode = request.txCode ? random.digits(options.txCodeLength) : undefined;
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + options.offerTtlSeconds * 1000);
      if (txCode && request.txCode) await sendTxCode(accountId, request.txCode, txCode);
      await store.insert({
        id,
        accountId,
        createdBy: principal.accountId,
        credentialConfigurationId: request.credentialConfigurationId,
        grantType,
        offerRefHash: digest('offer-ref', reference),
        // for an authorization code offer the code is the issuer_state, under a digest of its own
        codeHash: digest(grantType === 'authorization_code' ? 'issuer-state' : 'pre-authorized-code', code),
        codeSealed: encryption.encrypt(code, sealContext(id)),
        txCodeHash: txCode ? digest('tx-code', `${id}:${txCode}`) : null,
        createdAt: now,
        expiresAt,
      });
      const uri = offerUri(reference);
      return {
        offer_id: id,
        credential_offer: credentialOfferLink(reference),
        credential_offer_uri: uri,
        page_url: `${uri}/page`,
        expires_at: expiresAt.toISOString(),
        tx_code_sent_to: request.txCode ?? null,
      };
    },

    async offerDocument(reference) {
      const offer = REFERENCE.test(reference) ? await store.fetchOnce(digest('offer-ref', reference), clock.now()) : undefined;
      if (!offer) throw oid4vciErrors.create('OFFER_NOT_FOUND');
      const code = encryption.decrypt(offer.codeSealed, sealContext(offer.id)).toString('utf8');
      const { credentialOfferObject } = await protocol.issuer.createCredentialOffer({
        issuerMetadata: metadata.result,
        credentialConfigurationIds: [offer.credentialConfigurationId],
        grants:
          offer.grantType === 'authorization_code'
            ? { [authorizationCodeGrantIdentifier]: { issuer_state: code, authorization_server: metadata.openIdProvider!.issuer } }
            : {
                [preAuthorizedCodeGrantIdentifier]: {
                  'pre-authorized_code': code,
                  ...(offer.txCodeHash ? { tx_code: { input_mode: 'numeric', length: options.txCodeLength, description: 'The code sent to your phone or email.' } } : {}),
                  // with the OP listed too, the grant names its server: this issuer's own token endpoint
                  ...(metadata.openIdProvider ? { authorization_server: metadata.credentialIssuer } : {}),
                },
              },
      });
      return credentialOfferObject;
    },

    async token(request, body) {
      const { authorizationServer } = protocol;
      const parsed = libraryCall(() => authorizationServer.parseAccessTokenRequest({ request, accessTokenRequest: body }));
      const grant = parsed.grant;
      if (grant.grantType !== preAuthorizedCodeGrantIdentifier) throw oid4vciErrors.create('UNSUPPORTED_GRANT_TYPE');
      const now = clock.now();
      const offer = await store.findRedeemable(digest('pre-authorized-code', grant.preAuthorizedCode), now);
      if (!offer) throw oid4vciErrors.create('INVALID_GRANT');
      if (offer.txCodeHash) {
        // the try is counted before the comparison, in one conditional UPDATE: concurrent guesses share the bound
        const attempt = await store.countTxCodeAttempt(offer.id, options.txCodeMaxAttempts, now);
        if (!attempt.counted)
          throw oid4vciErrors.create('INVALID_GRANT', attempt.reason === 'exhausted' ? { message: 'Too many wrong transaction codes: the offer is used up; ask for a new one.' } : {});
        const given = grant.txCode;
        if (given === undefined || digest('tx-code', `${offer.id}:${given}`) !== offer.txCodeHash) {
          if (offer.txCodeAttempts + 1 >= options.txCodeMaxAttempts) await store.exhaust(offer.id);
          // OID4VCI 1.0 §6.3: a missing tx_code is invalid_request, a wrong one invalid_grant
          if (given === undefined) throw oid4vciErrors.create('INVALID_REQUEST', { message: 'The offer needs its tx_code.' });
          throw oid4vciErrors.create('INVALID_GRANT', { message: 'The transaction code is wrong.' });
        }
      }
      await libraryCallAsync(() =>
        authorizationServer.verifyPreAuthorizedCodeAccessTokenRequest({
          authorizationServerMetadata: metadata.authorizationServer,
          grant,
          accessTokenRequest: parsed.accessTokenRequest,
          request,
          // the code and tx_code matched their digests above; the library checks the rest of the request
          expectedPreAuthorizedCode: grant.preAuthorizedCode,
          ...(offer.txCodeHash ? { expectedTxCode: grant.txCode } : {}),
          preAuthorizedCodeExpiresAt: offer.expiresAt,
          now,
        }),
      );
      if (!(await store.redeem(offer.id, now))) throw oid4vciErrors.create('INVALID_GRANT');
      return authorizationServer.createAccessTokenResponse({
        authorizationServer: metadata.authorizationServer.issuer,
        audience: metadata.credentialIssuer,
        subject: offer.accountId,
        expiresInSeconds: Math.min(options.accessTokenTtlSeconds, Math.max(1, Math.floor((offer.expiresAt.getTime() - now.getTime()) / 1000))),
        signer: { method: 'custom', alg: 'ES256' },
        now,
        additionalAccessTokenPayload: { offer_id: offer.id },
      });
    },
  };
}

/** Runs a parsing step of the library, turning its OAuth error into the kit's (never its raw message to the client beyond the code). */
export function libraryCall<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw translated(error);
  }
}

export async function libraryCallAsync<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw translated(error);
  }
}

const KNOWN: Record<string, Parameters<typeof oid4vciErrors.create>[0]> = {
  invalid_request: 'INVALID_REQUEST',
  invalid_grant: 'INVALID_GRANT',
  unsupported_grant_type: 'UNSUPPORTED_GRANT_TYPE',
  invalid_proof: 'INVALID_PROOF',
  invalid_nonce: 'INVALID_NONCE',
  invalid_token: 'INVALID_TOKEN',
  invalid_credential_request: 'INVALID_REQUEST',
};

function translated(error: unknown): Error {
  if (error instanceof Oauth2ServerErrorResponseError) {
    const code = KNOWN[error.errorResponse.error] ?? 'INVALID_REQUEST';
    return oid4vciErrors.create(code, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
