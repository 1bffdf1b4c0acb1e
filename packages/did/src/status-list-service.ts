import type { Clock, KitUrls, RandomSource } from '@w3kit/core';
import type { CredentialStore } from './credential-store.js';
import { CREDENTIALS_CONTEXT, issueDataIntegrityCredential, STATUS_LIST_CONTEXT, xsdDateTime } from './data-integrity.js';
import type { DocumentLoader } from './document-loader.js';
import { didErrors } from './errors.js';
import { issueJwtCredential } from './jwt-credentials.js';
import type { KitKeyring } from './kit-keyring.js';
import type { OrganizationIssuers } from './organization-issuers.js';
import type { StatusListRecord, StatusListStore } from './status-list-store.js';
import { problem, type Problem, type StatusCheck } from './verification.js';

type Json = Record<string, unknown>;

export const REVOCATION = 'revocation';

/** A `BitstringStatusListEntry`, as a credential carries it. */
export interface StatusEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: string;
  statusListIndex: string;
  statusListCredential: string;
}

export interface ReservedEntry {
  listId: string;
  index: number;
  entry: StatusEntry;
}

/**
 * Bitstring Status Lists of the kit's issuers. An entry is drawn at random from the list (the
 * spec's advice, so neighbouring entries say nothing about issuance order); the credential's
 * unique (list, entry) row is what reserves it. A list takes entries up to three quarters of
 * its length, then a new one starts. The bit of an entry is 1 when its credential is revoked.
 */
export interface StatusListService {
  /** An entry of the issuer's open list, not yet written: `confirm` (or the credential insert) claims it. */
  draw(issuerDid: string): Promise<ReservedEntry>;
  /** Counts an entry that was claimed, toward the list's capacity. */
  confirm(listId: string): Promise<void>;
  /**
   * The revocation status of a verified credential: null when it carries no status entry, a
   * problem when the entry cannot be checked (a list on another server: nothing is fetched).
   */
  check(credential: Json, issuer: string | null): Promise<{ status: StatusCheck | null; problem: Problem | null }>;
  /** The status list credential, signed by its issuer, as `GET …/did/status-lists/:id` serves it. */
  statusListCredential(listId: string): Promise<Json>;
  /** The URL of a list. */
  urlOf(listId: string): string;
}

export interface StatusListServiceDeps {
  statusListStore: StatusListStore;
  credentialStore: CredentialStore;
  keyring: KitKeyring;
  organizationIssuers: OrganizationIssuers;
  loader: DocumentLoader;
  random: RandomSource;
  clock: Clock;
  /** `<publicUrl><mountPath><finenex base path>/did/status-lists/`. */
  /** The kit's URLs by name: a list's URL is the `did.status-list` route's. */
  urls: KitUrls;
  length: number;
}

export function createStatusListService(deps: StatusListServiceDeps): StatusListService {
  const { statusListStore, credentialStore, keyring, organizationIssuers, random, clock } = deps;
  const capacity = Math.floor(deps.length * 0.75);
  const urlOf = (listId: string) => deps.urls.to('did.status-list', { id: listId });
  const baseUrl = () => urlOf('');

  async function openList(issuerDid: string): Promise<StatusListRecord> {
    const open = await statusListStore.findOpen(issuerDid, REVOCATION, capacity);
    if (open) return open;
    const list: StatusListRecord = { id: random.uuid(), issuerDid, purpose: REVOCATION, length: deps.length, allocated: 0, createdAt: clock.now() };
    await statusListStore.insert(list);
    return list;
  }

  function entriesOf(credential: Json): Json[] {
    return ([] as unknown[]).concat(credential['credentialStatus'] ?? []).filter((s): s is Json => !!s && typeof s === 'object');
  }

  return {
    urlOf,
    async draw(issuerDid) {
      const list = await openList(issuerDid);
      // 48 random bits modulo the length: the bias is below 2^-30
      const index = Number(random.bytes(6).readUIntBE(0, 6) % list.length);
      const url = urlOf(list.id);
      return {
        listId: list.id,
        index,
        entry: { id: `${url}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: REVOCATION, statusListIndex: String(index), statusListCredential: url },
      };
    },

    async confirm(listId) {
      // a list may end a little over capacity when requests race: the hard limit is its length
      await statusListStore.reserveEntry(listId, deps.length);
    },

    async check(credential, issuer) {
      const entries = entriesOf(credential);
      if (entries.length === 0) return { status: null, problem: null };
      let status: StatusCheck | null = null;
      for (const entry of entries) {
        if (entry['type'] !== 'BitstringStatusListEntry') {
          return { status, problem: problem('STATUS_UNAVAILABLE', `the status type "${String(entry['type'])}" is not supported (BitstringStatusListEntry is)`) };
        }
        const url = String(entry['statusListCredential'] ?? '');
        const index = Number(entry['statusListIndex']);
        if (!url.startsWith(baseUrl())) {
          return { status, problem: problem('STATUS_UNAVAILABLE', `the status list ${url.slice(0, 200)} is not on this server, which fetches nothing from the network`) };
        }
        const list = await statusListStore.find(url.slice(baseUrl().length));
        if (!list || !Number.isInteger(index) || index < 0 || index >= list.length) {
          return { status, problem: problem('STATUS_UNAVAILABLE', `no status entry ${index} in the list ${url.slice(0, 200)}`) };
        }
        if (list.issuerDid !== issuer) return { status, problem: problem('ISSUER_MISMATCH', 'the status list belongs to another issuer') };
        if (entry['statusPurpose'] !== list.purpose) return { status, problem: problem('STATUS_UNAVAILABLE', `the list is a ${list.purpose} list`) };
        const record = await credentialStore.findByStatusEntry(list.id, index);
        status = { statusListCredential: url, statusListIndex: index, revoked: record?.revokedAt != null };
        if (status.revoked) return { status, problem: problem('REVOKED', `the credential was revoked on ${record!.revokedAt!.toISOString()}`) };
      }
      return { status, problem: null };
    },

    async statusListCredential(listId) {
      const list = await statusListStore.find(listId);
      if (!list) throw didErrors.create('STATUS_LIST_NOT_FOUND');
      // loaded when a list is first published, like the rest of the JSON-LD stack (data-integrity.ts)
      const { BitstringStatusList } = await import('@digitalbazaar/vc-bitstring-status-list');
      const bits = new BitstringStatusList({ length: list.length });
      for (const index of await credentialStore.revokedEntries(list.id)) bits.setStatus(index, true);
      const url = urlOf(list.id);
      const subject = { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: list.purpose, encodedList: await bits.encode() };
      const now = clock.now();
      // a list is signed by its issuer: one of the kit's, or an organization's own (VC-API)
      const key = keyring.issuer(list.issuerDid) ? keyring.signingKey(list.issuerDid) : await organizationIssuers.signingKey(list.issuerDid);
      if (!key) throw didErrors.create('STATUS_LIST_NOT_FOUND');
      const issuer = key.identity;
      if (key.jwt) {
        return issueJwtCredential(
          {
            '@context': [CREDENTIALS_CONTEXT['1.1'], STATUS_LIST_CONTEXT],
            id: url,
            type: ['VerifiableCredential', 'BitstringStatusListCredential'],
            issuer: { id: issuer.did },
            issuanceDate: xsdDateTime(now),
            credentialSubject: subject,
          },
          key.jwt,
        );
      }
      return issueDataIntegrityCredential(
        {
          '@context': [CREDENTIALS_CONTEXT['2.0']],
          id: url,
          type: ['VerifiableCredential', 'BitstringStatusListCredential'],
          issuer: issuer.did,
          validFrom: xsdDateTime(now),
          credentialSubject: subject,
        },
        issuer.formats[0] as 'eddsa-rdfc-2022' | 'ecdsa-rdfc-2019',
        key.dataIntegrity!,
        deps.loader,
        now,
      );
    },
  };
}
