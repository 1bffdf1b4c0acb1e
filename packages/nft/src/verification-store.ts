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
  /** Marks a live, unused code as scanned; true for exactly one of any number of concurrent calls. */
  claimCode(codeHash: string, scannerAccountId: string, at: Date): Promise<boolean>;
  insertVerification(record: VerificationRecord): Promise<void>;
  listVerifications(tokenId: string, limit: number): Promise<VerificationRecord[]>;
  /** Deletes codes that expired before `before`; verification records stay. */
  purgeCodes(before: Date): Promise<number>;
}
