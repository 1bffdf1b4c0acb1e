import type { CredentialFormat } from './did-config.js';

/** A credential the kit issued: where its status entry is, and whom it logs in. */
export interface IssuedCredentialRecord {
  /** The credential's `id` (`urn:uuid:…`). */
  id: string;
  issuerDid: string;
  format: CredentialFormat;
  holder: string | null;
  /** The account whose `sub` the credential carries (`create-vc`); null for VC-API credentials, which log no one in. */
  subjectAccountId: string | null;
  /** The account that asked for it; it may revoke it. */
  requestedBy: string | null;
  statusListId: string;
  statusIndex: number;
  issuedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface CredentialStore {
  /** Records it; false (nothing written) when its status entry or its id is taken: another credential got there first. */
  insert(credential: IssuedCredentialRecord): Promise<boolean>;
  find(id: string): Promise<IssuedCredentialRecord | null>;
  findByStatusEntry(statusListId: string, statusIndex: number): Promise<IssuedCredentialRecord | null>;
  /** Marks it revoked; false when it already was. */
  revoke(id: string, at: Date): Promise<boolean>;
  /** The entries of the list whose credentials are revoked. */
  revokedEntries(statusListId: string): Promise<number[]>;
}
