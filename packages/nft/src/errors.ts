import { defineErrors } from '@w3kit/core';

export const nftErrors = defineErrors({
  ORGANIZATION_ONLY: { status: 403, message: 'Only an organization account can do this.' },
  DOMAIN_NOT_VERIFIED: { status: 403, message: 'The organization’s domain must be verified before it can mint.' },
  NOT_HOLDER: { status: 403, message: 'Only the holder of this NFT can do this.' },
  NOT_HOLDER_OR_MINTER: { status: 403, message: 'Only the holder or the minter of this NFT can do this.' },
  NOT_MINTER: { status: 403, message: 'Only the minter of this NFT can do this.' },
  HOLDER_SELF_SCAN: { status: 403, message: 'The holder cannot verify its own QR code; another account must scan it.' },
  CHAIN_NOT_CONFIGURED: { status: 404, message: 'This server keeps NFTs in its database only: no chain is configured.' },
  NFT_NOT_FOUND: { status: 404, message: 'No such NFT.' },
  HOLDER_NOT_FOUND: { status: 404, message: 'No end-user account has this ID wallet address.' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, message: 'This Idempotency-Key was used with a different request body.' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, message: 'A request with this Idempotency-Key is still in progress; retry shortly.' },
  NFT_EXPIRED: { status: 422, message: 'The NFT has expired and cannot be verified.' },
  CODE_INVALID: { status: 422, message: 'The QR code is unknown, expired or already used.' },
  OUTSIDE_VALID_AREA: { status: 422, message: 'Verification must happen inside the NFT’s valid area.' },
});
