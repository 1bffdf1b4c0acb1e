import { coreErrors, type AccountDirectory, type Clock, type Principal, type RandomSource } from '@w3kit/core';
import { decodeJWT } from 'did-jwt';
import type { CredentialStore } from './credential-store.js';
import {
  CREDENTIALS_CONTEXT,
  dataIntegrityFormatOf,
  dataModelOf,
  issueDataIntegrityCredential,
  STATUS_LIST_CONTEXT,
  suiteContexts,
  UNDEFINED_TERMS_CONTEXT,
  verifyDataIntegrityCredential,
  xsdDateTime,
  type DataIntegrityFormat,
} from './data-integrity.js';
import type { CredentialFormat, DataModel, ResolvedDidOptions } from './did-config.js';
import { DidResolutionError, type KitDidResolver } from './did-resolver.js';
import type { DocumentLoader } from './document-loader.js';
import { checkCredentialShape, invalidField as invalid, issuerOf } from './credential-shape.js';
import { statusEntryContext } from './document-loader.js';
import { didErrors } from './errors.js';
import { issueJwtCredential, jwtOf, verifyJwtCredential } from './jwt-credentials.js';
import type { JwtVerifier } from './jwt-verifier.js';
import type { IssuerKey, KitIdentity, KitKeyring } from './kit-keyring.js';
import type { OrganizationIssuers } from './organization-issuers.js';
import type { StatusListService } from './status-list-service.js';
import { classifyError, problem, type CredentialVerification, type Problem } from './verification.js';

type Json = Record<string, unknown>;

/** `create-vc`: a credential about the caller, for a holder DID, by one of the kit's issuers. */
export interface CreateVcRequest {
  holder: string;
  issuer?: string;
  userInfo: Record<string, unknown>;
  format?: CredentialFormat;
  /** Data Integrity formats only (JWT credentials are VC 1.1). */
  dataModel?: DataModel;
}

/** VC-API `/credentials/issue`: the caller's unsigned credential. */
export interface IssueCredentialRequest {
  credential: Json;
  format?: CredentialFormat;
}

export interface RevokedCredential {
  credentialId: string;
  revoked: true;
  revokedAt: string;
  statusListCredential: string;
  statusListIndex: number;
}

export interface CredentialService {
  createVc(principal: Principal, request: CreateVcRequest): Promise<Json>;
  /** VC-API issuance: organization accounts only, as one of the organization's own issuers. */
  issue(principal: Principal, request: IssueCredentialRequest): Promise<Json>;
  /** Verifies a credential of any supported format: proof, validity period, status. Never throws for a bad credential. */
  verify(input: unknown): Promise<CredentialVerification>;
  /** Revokes a credential the kit issued at the caller's request. */
  revoke(principal: Principal, reference: { credentialId?: string; credential?: unknown }): Promise<RevokedCredential>;
  /** VC-API `/credentials/status`: `revoked: true` revokes; a revocation is final, so `false` is refused. */
  setRevocationStatus(principal: Principal, request: { credentialId: string; revoked: boolean }): Promise<RevokedCredential>;
}

export interface CredentialServiceDeps {
  credentialStore: CredentialStore;
  statusLists: StatusListService;
  keyring: KitKeyring;
  organizationIssuers: OrganizationIssuers;
  resolver: KitDidResolver;
  jwtVerifier: JwtVerifier;
  loader: DocumentLoader;
  accountDirectory: AccountDirectory;
  clock: Clock;
  random: RandomSource;
  options: ResolvedDidOptions;
}

/** The prefix of `sub` in VC 2.0 credentials, whose context defines `sub` as an IRI. */
export const USER_URN_PREFIX = 'urn:w3kit:user:';

const idOf = (value: unknown) => (typeof value === 'string' ? value : value && typeof value === 'object' ? (value as Json)['id'] : undefined);
const asString = (value: unknown) => (typeof value === 'string' ? value : null);

// XML Schema dateTime; VC 2.0 asks for a time zone (dateTimeStamp), 1.1 does not (read as UTC then)
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;
const DATE_FIELDS = ['issuanceDate', 'validFrom', 'expirationDate', 'validUntil'] as const;
type DateField = (typeof DATE_FIELDS)[number];

/** The credential's dates, each a valid date-time or absent; a 400 naming the field otherwise. */
function credentialDates(credential: Json, model: DataModel): Partial<Record<DateField, Date>> {
  const dates: Partial<Record<DateField, Date>> = {};
  for (const field of DATE_FIELDS) {
    const value = credential[field];
    if (value === undefined) continue;
    const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
    const [, year, month, day, , , zone] = match ?? [];
    const ms = match ? Date.parse(zone ? (value as string) : `${value as string}Z`) : NaN;
    // Date.parse rolls 2026-02-30 over into March: the day must exist in its month
    const dayExists = match && new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).getUTCDate() === Number(day);
    if (!match || Number.isNaN(ms) || !dayExists || (model === '2.0' && !zone)) {
      throw invalid(`credential.${field}`, `must be an XML Schema dateTime${model === '2.0' ? ' with a time zone' : ''}, like 2026-01-31T12:00:00Z.`);
    }
    dates[field] = new Date(ms);
  }
  const from = dates.issuanceDate ?? dates.validFrom;
  const until = dates.expirationDate ?? dates.validUntil;
  if (from && until && until.getTime() <= from.getTime()) {
    throw invalid(`credential.${dates.expirationDate ? 'expirationDate' : 'validUntil'}`, `must be later than ${dates.issuanceDate ? 'issuanceDate' : 'validFrom'}.`);
  }
  return dates;
}

function unverified(problems: Problem[], partial: Partial<CredentialVerification> = {}): CredentialVerification {
  return { verified: false, format: null, credential: null, id: null, issuer: null, subject: null, expirationDate: null, status: null, ...partial, problems };
}

export function createCredentialService(deps: CredentialServiceDeps): CredentialService {
  const { credentialStore, statusLists, keyring, organizationIssuers, resolver, jwtVerifier, loader, accountDirectory, clock, random, options } = deps;

  /** The issuer and format a request names, checked against the kit's issuers. */
  function issuerAndFormat(issuerDid: string | undefined, format: CredentialFormat | undefined): { issuer: KitIdentity; format: CredentialFormat } {
    if (issuerDid === undefined) {
      const chosen = format ?? 'jwt';
      return { issuer: keyring.issuerFor(chosen), format: chosen };
    }
    const issuer = keyring.issuer(issuerDid);
    if (!issuer) throw didErrors.create('UNKNOWN_ISSUER', { details: { issuers: keyring.issuers().map((i) => i.did) } });
    const chosen = format ?? issuer.formats[0]!;
    if (!issuer.formats.includes(chosen)) {
      throw didErrors.create('FORMAT_NOT_SUPPORTED_BY_ISSUER', { message: `${issuer.did} signs ${issuer.formats.join(', ')}, not ${chosen}.` });
    }
    return { issuer, format: chosen };
  }

  /**
   * The VC-API issuer of the request: by default the organization's own DID for the format; a
   * named one must be the organization's own, or (operator organizations only) one of the kit's.
   */
  async function vcApiIssuer(principal: Principal, issuerDid: string | undefined, format: CredentialFormat | undefined): Promise<{ key: IssuerKey; format: CredentialFormat }> {
    if (issuerDid === undefined) {
      const chosen = format ?? 'jwt';
      return { key: await organizationIssuers.keyFor(principal.accountId, chosen), format: chosen };
    }
    const operator = options.operatorOrganizations.includes(principal.accountId);
    let key = await organizationIssuers.ownKey(principal.accountId, issuerDid);
    if (!key && operator && keyring.issuer(issuerDid)) key = keyring.signingKey(issuerDid);
    if (!key) {
      const own = (await organizationIssuers.list(principal.accountId)).map((i) => i.did);
      const issuers = operator ? [...own, ...keyring.issuers().map((i) => i.did)] : own;
      if (keyring.issuer(issuerDid)) {
        throw didErrors.create('ISSUER_NOT_OWNED', {
          message: `${issuerDid} is this server’s own issuer, which attests accounts (create-vc); issue as one of your organization’s DIDs.`,
          details: { issuers },
        });
      }
      if (await organizationIssuers.isOrganizationIssuer(issuerDid)) throw didErrors.create('ISSUER_NOT_OWNED', { details: { issuers } });
      throw didErrors.create('UNKNOWN_ISSUER', { message: 'The issuer is not one of your issuer DIDs (GET /v2/did/my-issuers).', details: { issuers } });
    }
    const chosen = format ?? key.identity.formats[0]!;
    if (!key.identity.formats.includes(chosen)) {
      throw didErrors.create('FORMAT_NOT_SUPPORTED_BY_ISSUER', { message: `${key.identity.did} signs ${key.identity.formats.join(', ')}, not ${chosen}.` });
    }
    return { key, format: chosen };
  }

  async function sign(credential: Json, key: IssuerKey, format: CredentialFormat, now: Date): Promise<Json> {
    if (format === 'jwt') {
      try {
        return await issueJwtCredential(credential, key.jwt!);
      } catch (error) {
        // did-jwt-vc refuses what its JWT encoding cannot carry (several subjects, …): a 422 for
        // the caller's credential, never a 500, in the kit's words (did-jwt-vc's go to the log, as the cause)
        const message = error instanceof Error ? error.message : '';
        const known = /array not supported/.test(message)
          ? ': a JWT credential has one credentialSubject'
          : /^(schema_error|format_error): /.test(message)
            ? ': its shape is not that of a VC 1.1 JWT credential'
            : '';
        throw didErrors.create('INVALID_CREDENTIAL', { message: `The credential cannot be signed as a JWT${known}.`, cause: error });
      }
    }
    try {
      return await issueDataIntegrityCredential(credential, format, key.dataIntegrity!, loader, now);
    } catch (error) {
      // the problem's message is the kit's words (or a context URL of the caller's); the library's go to the log, as the cause
      throw didErrors.create('INVALID_CREDENTIAL', { message: `The credential cannot be signed: ${classifyError(error).message}`, cause: error });
    }
  }

  /**
   * Draws a status entry, signs, and records the credential with its entry in one insert;
   * when another credential took the entry meanwhile, draws again (the store answers false). Nothing is written when
   * signing fails.
   */
  async function issueRecorded(
    build: (entry: Json) => Json,
    key: IssuerKey,
    format: CredentialFormat,
    record: { id: string; holder: string | null; subjectAccountId: string | null; requestedBy: string | null; expiresAt: Date | null },
  ): Promise<Json> {
    const now = clock.now();
    const issuer = key.identity;
    for (let attempt = 0; ; attempt++) {
      const reserved = await statusLists.draw(issuer.did);
      const signed = await sign(build(reserved.entry as unknown as Json), key, format, now);
      const recorded = await credentialStore.insert({ ...record, issuerDid: issuer.did, format, statusListId: reserved.listId, statusIndex: reserved.index, issuedAt: now, revokedAt: null });
      if (recorded) {
        await statusLists.confirm(reserved.listId);
        return signed;
      }
      // a concurrent issue of the same caller-chosen id won: the 409 the earlier check gives
      if (await credentialStore.find(record.id)) throw coreErrors.create('CONFLICT', { message: 'A credential with this id was already issued.' });
      // nine lost races in a row: the lists are not handing out free entries
      if (attempt >= 8) throw new Error(`no free status entry for ${issuer.did} after ${attempt + 1} draws`);
    }
  }

  async function checkHolder(holder: string) {
    try {
      await resolver.document(holder);
    } catch (error) {
      // the resolver's errors are in the kit's words; anything else (a library's) goes to the log, as the cause
      throw didErrors.create('INVALID_DID', { message: `holder: ${error instanceof DidResolutionError ? error.message : 'the DID cannot be resolved'}`, cause: error });
    }
  }

  const service: CredentialService = {
    async createVc(principal, request) {
      const { issuer, format } = issuerAndFormat(request.issuer, request.format);
      if (format === 'jwt' && request.dataModel === '2.0')
        throw didErrors.create('FORMAT_NOT_SUPPORTED_BY_ISSUER', { message: 'JWT credentials (JwtProof2020) are VC 1.1; use a Data Integrity format for VC 2.0.' });
      if ('id' in request.userInfo || 'sub' in request.userInfo) throw didErrors.create('INVALID_USER_INFO');
      await checkHolder(request.holder);
      const account = await accountDirectory.get(principal.accountId);
      if (!account) throw didErrors.create('HOLDER_NOT_AUTHORIZED', { message: 'The account of the token no longer exists.' });
      const userId = account.loginId ?? account.email ?? account.id;
      const model: DataModel = format === 'jwt' ? '1.1' : (request.dataModel ?? options.dataIntegrityDataModel);
      const now = clock.now();
      const expiresAt = options.credentialTtlSeconds > 0 ? new Date(now.getTime() + options.credentialTtlSeconds * 1000) : null;
      const id = `urn:uuid:${random.uuid()}`;
      const subject = { ...request.userInfo, sub: model === '2.0' ? `${USER_URN_PREFIX}${encodeURIComponent(userId)}` : userId, id: request.holder };
      const build = (entry: Json): Json => {
        if (model === '2.0') {
          return {
            '@context': [CREDENTIALS_CONTEXT['2.0'], ...suiteContexts(format as DataIntegrityFormat, '2.0'), UNDEFINED_TERMS_CONTEXT],
            id,
            type: ['VerifiableCredential', 'Profile'],
            issuer: issuer.did,
            validFrom: xsdDateTime(now),
            ...(expiresAt ? { validUntil: xsdDateTime(expiresAt) } : {}),
            credentialSubject: subject,
            credentialStatus: entry,
          };
        }
        const contexts = format === 'jwt' ? [STATUS_LIST_CONTEXT] : [STATUS_LIST_CONTEXT, ...suiteContexts(format, '1.1'), UNDEFINED_TERMS_CONTEXT];
        return {
          '@context': [CREDENTIALS_CONTEXT['1.1'], ...contexts],
          id,
          type: ['VerifiableCredential', 'Profile'],
          issuer: { id: issuer.did },
          issuanceDate: xsdDateTime(now),
          ...(expiresAt ? { expirationDate: xsdDateTime(expiresAt) } : {}),
          credentialSubject: subject,
          credentialStatus: entry,
        };
      };
      return issueRecorded(build, keyring.signingKey(issuer.did), format, { id, holder: request.holder, subjectAccountId: account.id, requestedBy: account.id, expiresAt });
    },

    async issue(principal, request) {
      if (principal.accountType !== 'organization') throw didErrors.create('ORGANIZATION_ONLY');
      const credential = request.credential;
      if (!([] as unknown[]).concat(credential['type']).includes('VerifiableCredential')) throw invalid('credential.type', 'must include VerifiableCredential.');
      const model = dataModelOf(credential);
      if (!model) throw invalid('credential.@context', `the first context must be ${CREDENTIALS_CONTEXT['1.1']} or ${CREDENTIALS_CONTEXT['2.0']}.`);
      const issuerDid = issuerOf(credential);
      checkCredentialShape(credential, model);
      const dates = credentialDates(credential, model);
      const issuance = dates.issuanceDate ?? dates.validFrom;
      const now = clock.now();
      // a backdated credential claims a past that no one saw it in; the operator's own organizations are trusted as the operator
      if (issuance && now.getTime() - issuance.getTime() > options.issuanceDateSkewSeconds * 1000 && !options.operatorOrganizations.includes(principal.accountId)) {
        throw didErrors.create('BACKDATED_CREDENTIAL', { details: { field: dates.issuanceDate ? 'issuanceDate' : 'validFrom', max_skew_seconds: options.issuanceDateSkewSeconds } });
      }
      const { key, format } = await vcApiIssuer(principal, issuerDid, request.format ?? (issuerDid === undefined && model === '2.0' ? 'eddsa-rdfc-2022' : undefined));
      const issuer = key.identity;
      if (format === 'jwt' && model === '2.0')
        throw didErrors.create('FORMAT_NOT_SUPPORTED_BY_ISSUER', { message: 'JWT credentials (JwtProof2020) are VC 1.1; use a Data Integrity format for VC 2.0.' });
      const givenId = credential['id'];
      if (givenId !== undefined && (typeof givenId !== 'string' || givenId.length > 191 || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(givenId))) {
        throw invalid('credential.id', 'must be a URL of at most 191 characters.');
      }
      if (typeof givenId === 'string' && (await credentialStore.find(givenId))) throw coreErrors.create('CONFLICT', { message: 'A credential with this id was already issued.' });
      const id = typeof givenId === 'string' ? givenId : `urn:uuid:${random.uuid()}`;
      const contexts = ([] as unknown[]).concat(credential['@context']);
      for (const needed of format === 'jwt' ? [] : suiteContexts(format, model)) if (!contexts.includes(needed)) contexts.push(needed);
      // VC 1.1 has no status terms: JWTs name the status context; a JSON-LD credential carries the
      // entry's definition itself, so that a verifier whose loader lacks that context (the W3C
      // vc-di-eddsa suite's) can still expand it
      if (model === '1.1' && !contexts.includes(STATUS_LIST_CONTEXT)) contexts.splice(1, 0, format === 'jwt' ? STATUS_LIST_CONTEXT : statusEntryContext());
      const dated = model === '1.1' ? { issuanceDate: credential['issuanceDate'] ?? xsdDateTime(now) } : {};
      const subject = ([] as unknown[]).concat(credential['credentialSubject'] ?? [])[0] as Json | undefined;
      const until = dates.expirationDate ?? dates.validUntil ?? null;
      const given = ([] as unknown[]).concat(credential['credentialStatus'] ?? []);
      const build = (entry: Json): Json => ({
        ...credential,
        '@context': contexts,
        id,
        issuer: issuerDid === undefined ? (model === '1.1' ? { id: issuer.did } : issuer.did) : credential['issuer'],
        ...dated,
        // a caller's own status entries stay (VC 2.0 §4.10 allows several); the server's is added
        credentialStatus: given.length > 0 ? [...given, entry] : entry,
      });
      return issueRecorded(build, key, format, { id, holder: asString(subject?.['id']), subjectAccountId: null, requestedBy: principal.accountId, expiresAt: until });
    },

    async verify(input) {
      const now = clock.now();
      if (!input || (typeof input !== 'object' && typeof input !== 'string')) return unverified([problem('MALFORMED', 'a credential is a JSON object or a JWT')]);
      const jwt = jwtOf(input);
      let credential: Json | null;
      let problems: Problem[];
      let format: CredentialVerification['format'];
      if (jwt) {
        format = 'jwt';
        ({ credential, problems } = await verifyJwtCredential(jwt, typeof input === 'object' ? (input as Json) : null, jwtVerifier, now));
      } else if (typeof input === 'object' && (format = dataIntegrityFormatOf(input as Json))) {
        credential = input as Json;
        problems = await verifyDataIntegrityCredential(credential, loader, now);
      } else {
        return unverified([
          problem('UNSUPPORTED_PROOF', 'the credential has no proof this server verifies (JwtProof2020, DataIntegrityProof eddsa-rdfc-2022 or ecdsa-rdfc-2019, Ed25519Signature2020)'),
        ]);
      }
      const issuer = credential ? (asString(idOf(credential['issuer'])) ?? null) : null;
      const subject = credential ? (([] as unknown[]).concat(credential['credentialSubject'] ?? [])[0] as Json | undefined) : undefined;
      const result: CredentialVerification = {
        verified: false,
        format,
        credential,
        id: credential ? asString(credential['id']) : null,
        issuer,
        subject: asString(subject?.['id']),
        expirationDate: credential ? (asString(credential['expirationDate']) ?? asString(credential['validUntil'])) : null,
        status: null,
        problems,
      };
      if (problems.length === 0 && credential) {
        const { status, problem: statusProblem } = await statusLists.check(credential, issuer);
        result.status = status;
        if (statusProblem) result.problems = [statusProblem];
      }
      result.verified = result.problems.length === 0;
      return result;
    },

    async revoke(principal, reference) {
      let id = reference.credentialId;
      if (id === undefined && reference.credential !== undefined) {
        const jwt = jwtOf(reference.credential);
        try {
          const payload = jwt ? (decodeJWT(jwt).payload as Json) : null;
          id = asString(payload ? payload['jti'] : (reference.credential as Json | null)?.['id']) ?? undefined;
        } catch {
          throw didErrors.create('CREDENTIAL_NOT_FOUND', { message: 'The credential’s JWT cannot be decoded.' });
        }
      }
      const record = id === undefined ? null : await credentialStore.find(id);
      if (!record) throw didErrors.create('CREDENTIAL_NOT_FOUND');
      if (record.requestedBy !== principal.accountId && record.subjectAccountId !== principal.accountId) throw didErrors.create('NOT_CREDENTIAL_ISSUER');
      const at = clock.now();
      await credentialStore.revoke(record.id, at);
      const fresh = (await credentialStore.find(record.id))!;
      return {
        credentialId: record.id,
        revoked: true,
        revokedAt: (fresh.revokedAt ?? at).toISOString(),
        statusListCredential: statusLists.urlOf(record.statusListId),
        statusListIndex: record.statusIndex,
      };
    },

    async setRevocationStatus(principal, request) {
      // a revoked credential stays revoked: verifiers may already have refused it, and a status
      // list that flips back would make an earlier refusal look wrong
      if (!request.revoked) throw didErrors.create('UNREVOKE_NOT_ALLOWED');
      return service.revoke(principal, { credentialId: request.credentialId });
    },
  };
  return service;
}
