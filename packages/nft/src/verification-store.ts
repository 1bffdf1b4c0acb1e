export interface GpsPoint {
  latitude: number;
  longitude: number;
}

export interface QrCodeRecord {
  /** SHA-256 of the code: the code itself is never stored. */
  codeHash: string;
  tokenId: string;
  holderAccountId: string;
  holderPosition: GpsPoint;
  createdAt: Date;
  expiresAt: Date;
  verifiedAt: Date | null;
  scannerAccountId: string | null;
}

export interface VerificationRecord {
  id: string;
  tokenId: string;
  scannerAccountId: string;
  verifiedAt: Date;
  scannerPosition: GpsPoint;
  holderPosition: GpsPoint;
}

/** Persistence of QR verification codes and the record of each verification. */
export interface VerificationStore {
  insertCode(code: QrCodeRecord): Promise<void>;
  findCode(codeHash: string): Promise<QrCodeRecord | null>;
  /**
   * Marks a live, unused code as scanned by `verification.scannerAccountId` at
   * `verification.verifiedAt` and stores the verification record, both or neither (one
   * transaction: a code is never used up without its record). True for exactly one of any
   * number of concurrent calls; false, with nothing written, for the others and for a used or
   * expired code.
   */
  claimCode(codeHash: string, verification: VerificationRecord): Promise<boolean>;
  listVerifications(tokenId: string, limit: number): Promise<VerificationRecord[]>;
  /** Deletes codes that expired before `before`; verification records stay. */
  purgeCodes(before: Date): Promise<number>;
}
