import type { Clock, Principal } from '@w3kit/core';
import type { CredentialService } from './credential-service.js';
import { dataIntegrityFormatOf, dataModelOf, verifyDataIntegrityPresentation } from './data-integrity.js';
import type { DidService } from './did-service.js';
import type { DocumentLoader } from './document-loader.js';
import { didErrors } from './errors.js';
import { createJwtPresentation, jwtOf, verifyJwtPresentation } from './jwt-credentials.js';
import type { JwtVerifier } from './jwt-verifier.js';
import type { KitKeyring } from './kit-keyring.js';
import { problem, type PresentationVerification } from './verification.js';

type Json = Record<string, unknown>;

export interface CreateVpRequest {
  holder: string;
  /** Default: the kit's verifier DID. */
  verifier?: string;
  credentials: unknown[];
  /** The login request's requestId (website login) or any nonce the verifier asked for. */
  challenge?: string;
  /** The secretKey of the holder's address. */
  tempKey?: string;
}

export interface PresentationExpectations {
  /** The presentation must be addressed to this DID (JWT `aud`, Data Integrity `proof.domain`). */
  audience?: string;
  /** The presentation must carry this challenge (JWT `nonce`, Data Integrity `proof.challenge`). */
  challenge?: string;
}

export interface PresentationService {
  /** A JWT VP signed with the holder's custodial key. */
  createVp(principal: Principal | null, request: CreateVpRequest): Promise<Json>;
  /** Verifies the presentation's proof and every credential it carries. Never throws for a bad presentation. */
  verify(input: unknown, expect?: PresentationExpectations): Promise<PresentationVerification>;
}

export interface PresentationServiceDeps {
  didService: DidService;
  credentialService: CredentialService;
  keyring: KitKeyring;
  jwtVerifier: JwtVerifier;
  loader: DocumentLoader;
  clock: Clock;
}

export function createPresentationService(deps: PresentationServiceDeps): PresentationService {
  const { didService, credentialService, keyring, jwtVerifier, loader, clock } = deps;

  return {
    async createVp(principal, request) {
      const signer = await didService.holderSigner(request.holder, { principal, tempKey: request.tempKey });
      for (const [i, credential] of request.credentials.entries()) {
        if (jwtOf(credential) !== null) continue;
        const json = typeof credential === 'object' && credential !== null ? (credential as Json) : null;
        if (!json || dataIntegrityFormatOf(json) === null) {
          throw didErrors.create('INVALID_CREDENTIAL', { message: `credentials[${i}] is not a verifiable credential (JwtProof2020 JSON form, JWT or Data Integrity).` });
        }
        // did-jwt-vc presentations are VC 1.1: a 2.0 credential cannot be embedded
        if (dataModelOf(json) !== '1.1')
          throw didErrors.create('INVALID_CREDENTIAL', { message: `credentials[${i}] is a VC 2.0 credential; a JWT presentation (VC 1.1) can carry VC 1.1 credentials only.` });
      }
      return createJwtPresentation(
        {
          holder: request.holder,
          verifier: request.verifier ?? keyring.verifiers()[0]!.did,
          credentials: request.credentials,
          challenge: request.challenge,
        },
        signer,
        clock.now(),
      );
    },

    async verify(input, expect = {}) {
      const now = clock.now();
      const jwt = jwtOf(input);
      const json = input && typeof input === 'object' ? (input as Json) : null;
      let check;
      let format: PresentationVerification['format'];
      if (jwt) {
        format = 'jwt';
        check = await verifyJwtPresentation(jwt, json, jwtVerifier, { now, ...expect });
      } else if (json && (format = dataIntegrityFormatOf(json))) {
        check = await verifyDataIntegrityPresentation(json, loader, { now, ...expect });
      } else {
        return {
          verified: false,
          format: null,
          presentation: null,
          holder: null,
          audience: [],
          challenge: null,
          signedAt: null,
          replayKeys: [],
          credentials: [],
          problems: [problem('UNSUPPORTED_PROOF', 'the presentation has no proof this server verifies (JwtProof2020, DataIntegrityProof eddsa-rdfc-2022 or ecdsa-rdfc-2019, Ed25519Signature2020)')],
        };
      }
      const credentials = await Promise.all(check.credentials.map((c) => credentialService.verify(c)));
      // what a proof says counts only once it verified: an unverified one reports no audience, challenge or date
      const signed = check.problems.length === 0;
      const problems = [...check.problems];
      const failed = credentials.findIndex((c) => !c.verified);
      if (failed >= 0) {
        const inner = credentials[failed]!.problems[0];
        // the credential's own detail stays on its result (credentials[failed]), which is logged with the presentation's
        problems.push(problem('CREDENTIAL_NOT_VERIFIED', `verifiableCredential[${failed}]: ${inner?.message ?? 'not verified'}`));
      }
      return {
        verified: problems.length === 0,
        format,
        presentation: check.presentation,
        holder: check.holder,
        audience: signed ? check.audience : [],
        challenge: signed ? check.challenge : null,
        signedAt: signed ? check.signedAt : null,
        replayKeys: problems.length === 0 ? check.replayKeys : [],
        credentials,
        problems,
      };
    },
  };
}
