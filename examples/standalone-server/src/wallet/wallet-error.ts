/** A wallet command the person can fix (no wallet yet, no credential, a refusal by the server): its message, no stack. */
export class WalletError extends Error {
  override readonly name = 'WalletError';
}
