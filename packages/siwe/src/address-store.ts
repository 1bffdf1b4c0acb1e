/** An address an account holds on one chain. */
export interface LinkedAddress {
  chainId: number;
  /** EIP-55 checksummed. */
  address: string;
  accountId: string;
  linkedAt: Date;
}

/** How a link went: made now, held already by this account, or held by another one. */
export type LinkResult = { outcome: 'linked' } | { outcome: 'already-linked' } | { outcome: 'taken'; accountId: string };

/** The addresses of accounts, shared by every instance. */
export interface AddressStore {
  /** The account holding the address on the chain, or null. */
  find(chainId: number, address: string): Promise<LinkedAddress | null>;
  /** Links the address to the account unless some account holds it on the chain; one insert decides between concurrent links. */
  link(chainId: number, address: string, accountId: string, at: Date): Promise<LinkResult>;
  /** The account's addresses, oldest first. */
  listByAccount(accountId: string): Promise<LinkedAddress[]>;
}
