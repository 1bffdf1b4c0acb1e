export interface OidcSigningKeyRecord {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  /** Sealed under the master key; opened only to hand the key to the provider. */
  sealedPrivateJwk: string;
  /** `development`: created by a development-mode server on its own; `operator`: by `keys rotate` or a production start. */
  origin: 'development' | 'operator';
  createdAt: Date;
  retiredAt: Date | null;
}

/** The OP's token signing keys, shared by every instance. */
export interface OidcSigningKeyStore {
  insert(key: OidcSigningKeyRecord): Promise<void>;
  /** Keys not retired, newest first (the first one signs). */
  listActive(): Promise<OidcSigningKeyRecord[]>;
  /** True when this call retired a live key. */
  retire(kid: string, at: Date): Promise<boolean>;
}
