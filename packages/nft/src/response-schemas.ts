import { Type } from '@w3kit/core';
import { DynamicMetadata, StaticMetadata, Visibility } from './request-schemas.js';

// The success results of the NFT routes (inside the Web3Connect envelope), as nft-view.ts writes them.

const Address = Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' });
const GpsPoint = Type.Object({ latitude: Type.Number(), longitude: Type.Number() });

/** One NFT as every route answers it (`NftView`). */
export const NftResult = Type.Object(
  {
    token_id: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }),
    token_uri: Type.String({ description: 'the public ERC-721 metadata URL' }),
    minter_digital_signature: Type.String({ description: 'the minter ID wallet’s signature of the metadata hash' }),
    created_at: Type.String({ description: 'ISO 8601' }),
    metadata: Type.Object({ static: StaticMetadata, dynamic: DynamicMetadata }),
    visibility: Visibility,
    holder_id_wallet_address: Address,
    minter_id_wallet_address: Address,
    minter_verified_domain: Type.Union([Type.String(), Type.Null()], { description: 'the domain the minter proved by DNS TXT, or null' }),
  },
  { $id: 'Nft' },
);

export const NftList = Type.Array(NftResult);

export const VerificationList = Type.Array(
  Type.Object({ token_id: Type.String(), scanner_account_id: Type.String(), verified_at: Type.String({ description: 'ISO 8601' }), scanner_gps: GpsPoint, holder_gps: GpsPoint }),
);

export const ScanResult = Type.Object({ token_id: Type.String() });
export const PollResult = Type.Object({ token_id: Type.Union([Type.String(), Type.Null()], { description: 'null until the code is scanned' }) });

/** The ERC-721 metadata document behind `token_uri` (plain JSON). */
export const Erc721Metadata = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    image: Type.Optional(Type.String()),
    minter_verified_domain: Type.Union([Type.String(), Type.Null()]),
    attributes: Type.Array(Type.Unknown(), { description: 'the minter’s attributes, the dynamic fields as traits, and the kit’s minter_verified_domain last' }),
  },
  { additionalProperties: true },
);
