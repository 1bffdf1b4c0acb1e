/**
 * SD-JWT VCs the kit issues, as other plugins check them. @w3kit/oid4vci implements it and
 * registers it as `sdJwtVcIssuer` when it is composed; @w3kit/oid4vp uses it to accept, for a
 * login, only a credential this kit issued to that account, and never imports oid4vci itself.
 *
 * The profile both sides rely on (docs/oid4vc.md):
 * - `iss` is the kit's credential issuer identifier (an https URL, see `issuer`), the JOSE header
 *   carries `kid` and `typ: dc+sd-jwt`;
 * - `sub` is the account's subject identifier, the `sub` that `my_info` answers;
 * - `cnf.jwk` is the wallet's key from its proof JWT (key binding);
 * - `status.status_list` `{ idx, uri }` points into a Token Status List the issuer serves.
 */
export interface SdJwtVcIssuer {
  /** The credential issuer identifier, the `iss` of every SD-JWT VC this kit issues. */
  readonly issuer: string;
  /** The public key that verifies an issuer signature with this `kid`, or undefined when the kit never had (or retired) such a key. */
  issuerKey(kid: string): Promise<JsonWebPublicKey | undefined>;
  /** The account a `sub` of this kit's credentials names, or undefined. */
  accountIdForSubject(sub: string): Promise<string | undefined>;
  /** Whether the status list entry is set (revoked or suspended); undefined when the list or index is unknown. */
  statusOf(entry: { uri: string; idx: number }): Promise<'valid' | 'invalid' | undefined>;
}

/** A public JWK as RFC 7517 writes it (EC P-256 or secp256k1, or OKP Ed25519). */
export interface JsonWebPublicKey {
  kty: string;
  crv?: string;
  x?: string;
  y?: string;
  kid?: string;
  alg?: string;
}
