import { Type, type Static } from '@w3kit/core';
import { SEARCH_FIELDS } from './tables.js';

const Url = Type.String({ maxLength: 2048 });
const Text = Type.String({ maxLength: 10_000 });

/** `metadata.static`: all required but `expired_at` (default 9999-12-31T23:59:59.000Z). */
export const StaticMetadata = Type.Object(
  {
    issuer: Type.String({ maxLength: 1000 }),
    contents_provider: Type.String({ maxLength: 1000 }),
    name: Type.String({ maxLength: 1000 }),
    description: Text,
    image: Url,
    link: Url,
    serial_number: Type.Integer(),
    total_issued: Type.Integer(),
    animation_url: Url,
    expired_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

const S = Type.Optional(Type.String({ maxLength: 10_000 }));
const N = Type.Optional(Type.Number());
const I = Type.Optional(Type.Integer());
// The valid area's fields are text (as in the Web3Connect document) that geofence.ts reads as numbers: the schema
// states what it accepts, and a refusal names it (`x-accepts` is the error's wording)
const Latitude = Type.Optional(
  Type.String({
    pattern: '^[+-]?(90(\\.0+)?|[1-8]?\\d(\\.\\d+)?)$',
    'x-accepts': 'a latitude in decimal degrees, from -90 to 90 (like "35.6812")',
    description: 'a latitude in decimal degrees, from -90 to 90 (like "35.6812")',
  }),
);
const Longitude = Type.Optional(
  Type.String({
    pattern: '^[+-]?(180(\\.0+)?|(1[0-7]\\d|[1-9]?\\d)(\\.\\d+)?)$',
    'x-accepts': 'a longitude in decimal degrees, from -180 to 180 (like "139.7671")',
    description: 'a longitude in decimal degrees, from -180 to 180 (like "139.7671")',
  }),
);
const LengthUnit = Type.Optional(Type.String({ pattern: '^([mM]|[kK][mM]|[mM][iI])$', 'x-accepts': 'one of m, km or mi (any case)', description: 'one of m, km or mi (any case)' }));

/** `metadata.dynamic`: every documented field optional with its documented type; other keys are kept. */
export const DynamicMetadata = Type.Object(
  {
    external_url: S,
    youtube_url: S,
    background_color: S,
    category: S,
    id: S,
    points_earned: N,
    unit_of_points: S,
    program_name: S,
    organization: S,
    brand: S,
    branch: S,
    department: S,
    address: S,
    sns1: S,
    sns2: S,
    sns3: S,
    role: S,
    numbered_position: I,
    email: S,
    tel: S,
    reference_name: S,
    license: S,
    competency: S,
    credential_category: S,
    level: S,
    status: S,
    date_created: I,
    date_modified: I,
    expires: I,
    valid_latitude: Latitude,
    valid_longitude: Longitude,
    valid_radius: N,
    unit_of_length: LengthUnit,
    ticketed_seat: S,
    total_value: N,
    consumable_value: N,
    price_currency: S,
    discount_rate: N,
    gtin: S,
    gtin12: S,
    gtin13: S,
    gtin14: S,
    gtin8: S,
    has_adult_consideration: S,
    rating: S,
    copyright_notice: S,
    copyright_year: I,
    credit_text: S,
    version: S,
    policy: S,
    keywords: S,
    attributes: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 1000 })),
    properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    localization: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: true },
);

export const Visibility = Type.Union([Type.Literal('public'), Type.Literal('private')]);

export const MintBody = Type.Object({
  metadata: Type.Object({ static: StaticMetadata, dynamic: Type.Optional(DynamicMetadata) }),
  /** Extension: the Web3Connect document has no visibility at mint; default private (nft option `defaultVisibility`). */
  visibility: Type.Optional(Visibility),
});

export const TokenIdParams = Type.Object({ token_id: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }) });
export const AddressParams = Type.Object({ address: Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' }) });
export const HolderParams = Type.Object({ holder_id_wallet_address: Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' }) });

/** `?perPageItemNum&pageNum&order`; `pageNum` up to the plugin's `maxPageNum`. */
export const pageQuery = (maxPageNum: number) =>
  Type.Object({
    perPageItemNum: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
    pageNum: Type.Integer({ minimum: 1, maximum: maxPageNum, default: 1 }),
    order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
  });
export type PageQuery = Static<ReturnType<typeof pageQuery>>;

export const SearchBody = Type.Object(Object.fromEntries(SEARCH_FIELDS.map((field) => [field, Type.Optional(Type.String({ maxLength: 10_000 }))])), { additionalProperties: false });

const Coordinate = (max: number) => Type.Union([Type.String({ pattern: '^-?\\d{1,3}(\\.\\d+)?$' }), Type.Number({ minimum: -max, maximum: max })]);

/** `{gps: {latitude, longitude}}`: decimal degrees, as strings (the Web3Connect document) or numbers. */
export const GpsBody = Type.Object({ gps: Type.Object({ latitude: Coordinate(90), longitude: Coordinate(180) }) });

export const CodeQuery = Type.Object({ c: Type.String({ minLength: 1, maxLength: 128 }) });
