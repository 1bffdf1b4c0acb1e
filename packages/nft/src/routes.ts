import { defineRoute, Type, type RouteGroup } from '@w3kit/core';
import { nftExamples } from './examples.js';
import type { ResolvedNftOptions } from './nft-config.js';
import { Erc721Metadata, NftList, NftResult, PollResult, ScanResult, VerificationList } from './response-schemas.js';
import { AddressParams, CodeQuery, GpsBody, HolderParams, MintBody, pageQuery, SearchBody, TokenIdParams, Visibility, type PageQuery } from './request-schemas.js';
import type { PageRequest } from './nft-store.js';

const page = (q: PageQuery): PageRequest => ({ perPage: q.perPageItemNum, page: q.pageNum, order: q.order });

export const nftRoutes = [
  defineRoute({
    name: 'nft.mint',
    method: 'POST',
    path: '/nft/mint/to/:holder_id_wallet_address',
    summary: 'Mint an NFT to an end user’s ID wallet (organization with a verified domain).',
    description: 'Optional `Idempotency-Key` header: a retry with the same key and body returns the first result.',
    auth: 'required',
    params: HolderParams,
    body: MintBody,
    response: NftResult,
    errors: ['DOMAIN_NOT_VERIFIED', 'HOLDER_NOT_FOUND', 'IDEMPOTENCY_IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED', 'ORGANIZATION_ONLY'],
    async handler({ principal, params, body, services, ctx }) {
      return services.nftService.mint(principal, {
        holderAddress: params.holder_id_wallet_address,
        metadata: { static: body.metadata.static, dynamic: body.metadata.dynamic ?? {} },
        visibility: body.visibility,
        // '' when the header is absent, which the service reads as none
        idempotencyKey: ctx.get('idempotency-key'),
      });
    },
  }),
  defineRoute({
    name: 'nft.qr.scan',
    method: 'POST',
    path: '/nft/verification/qr_code/step2',
    summary: 'The scanner verifies the QR code (`?c=CODE`) with its GPS position.',
    auth: 'required',
    query: CodeQuery,
    body: GpsBody,
    rateLimit: [{ rule: 'nft.qr.scan', key: 'principal' }],
    response: ScanResult,
    errors: ['CODE_INVALID', 'HOLDER_SELF_SCAN', 'NFT_EXPIRED', 'OUTSIDE_VALID_AREA'],
    async handler({ principal, query, body, services }) {
      return services.nftService.completeVerification(principal, query.c, body.gps);
    },
  }),
  defineRoute({
    name: 'nft.qr.result',
    method: 'GET',
    path: '/nft/verification/qr_code/result',
    summary: 'The holder polls the verification result of a code.',
    auth: 'required',
    query: CodeQuery,
    response: PollResult,
    errors: ['CODE_INVALID'],
    async handler({ principal, query, services }) {
      return services.nftService.verificationResult(principal, query.c);
    },
  }),
  defineRoute({
    name: 'nft.fetch',
    method: 'GET',
    path: '/nft/:token_id',
    summary: 'Fetch an NFT (private ones: holder or minter only).',
    auth: 'required',
    params: TokenIdParams,
    response: NftResult,
    errors: ['NFT_NOT_FOUND'],
    async handler({ principal, params, services }) {
      return services.nftService.get(principal, params.token_id);
    },
  }),
  defineRoute({
    name: 'nft.visibility',
    method: 'PUT',
    path: '/nft/:token_id/visibility',
    summary: 'Set an NFT public or private (holder or minter).',
    auth: 'required',
    params: TokenIdParams,
    body: Type.Object({ to: Visibility }),
    response: Visibility,
    errors: ['NFT_NOT_FOUND', 'NOT_HOLDER_OR_MINTER'],
    async handler({ principal, params, body, services }) {
      return services.nftService.setVisibility(principal, params.token_id, body.to);
    },
  }),
  defineRoute({
    name: 'nft.qr.start',
    method: 'POST',
    path: '/nft/:token_id/verification/qr_code/step1',
    summary: 'The holder makes a single-use QR code (5 minutes) with its GPS position.',
    auth: 'required',
    params: TokenIdParams,
    body: GpsBody,
    response: Type.Object({ code: Type.String(), qr_code_base64: Type.String() }),
    errors: ['NFT_EXPIRED', 'NFT_NOT_FOUND', 'NOT_HOLDER', 'OUTSIDE_VALID_AREA'],
    async handler({ principal, params, body, services }) {
      return services.nftService.startVerification(principal, params.token_id, body.gps);
    },
  }),
  defineRoute({
    name: 'nft.chain',
    method: 'GET',
    path: '/nft/:token_id/chain',
    summary: 'The NFT’s mint on chain: status, transaction hash, block (null while private). 404 CHAIN_NOT_CONFIGURED without a chain.',
    auth: 'required',
    params: TokenIdParams,
    response: Type.Union([
      Type.Null(),
      Type.Object({
        status: Type.Union([Type.Literal('pending'), Type.Literal('submitted'), Type.Literal('confirmed'), Type.Literal('failed')]),
        tx_hash: Type.Union([Type.String(), Type.Null()]),
        block_number: Type.Union([Type.Integer(), Type.Null()]),
        error: Type.Union([Type.String(), Type.Null()]),
      }),
    ]),
    errors: ['CHAIN_NOT_CONFIGURED', 'NFT_NOT_FOUND'],
    async handler({ principal, params, services }) {
      return services.nftService.chainStatus(principal, params.token_id);
    },
  }),
  defineRoute({
    name: 'nft.verifications',
    method: 'GET',
    path: '/nft/:token_id/verifications',
    summary: 'Who verified the NFT, when and where (minter only).',
    auth: 'required',
    params: TokenIdParams,
    response: VerificationList,
    errors: ['NFT_NOT_FOUND', 'NOT_MINTER'],
    async handler({ principal, params, services }) {
      return services.nftService.listVerifications(principal, params.token_id);
    },
  }),
];

/** The paged listings and searches; their `pageNum` bound is the plugin's `maxPageNum`. */
function listingRoutes(options: ResolvedNftOptions) {
  const paging = pageQuery(options.maxPageNum);
  return [
    defineRoute({
      name: 'nft.minted-by-me',
      method: 'GET',
      path: '/nft/minted_by_me',
      summary: 'NFTs minted by the requesting organization.',
      auth: 'required',
      query: paging,
      response: NftList,
      errors: ['ORGANIZATION_ONLY'],
      async handler({ principal, query, services }) {
        return services.nftService.listMintedBy(principal, {}, page(query));
      },
    }),
    defineRoute({
      name: 'nft.minted-by-me.search',
      method: 'POST',
      path: '/nft/minted_by_me/search',
      summary: 'Field-matching search over the requesting organization’s NFTs (exact match).',
      auth: 'required',
      query: paging,
      body: SearchBody,
      response: NftList,
      errors: ['ORGANIZATION_ONLY'],
      async handler({ principal, query, body, services }) {
        return services.nftService.listMintedBy(principal, body, page(query));
      },
    }),
    defineRoute({
      name: 'nft.search',
      method: 'POST',
      path: '/nft/search',
      summary: 'Field-matching search over public NFTs (exact match).',
      auth: 'required',
      query: paging,
      body: SearchBody,
      response: NftList,
      async handler({ query, body, services }) {
        return services.nftService.searchPublic(body, page(query));
      },
    }),
    defineRoute({
      name: 'nft.held-by',
      method: 'GET',
      path: '/nft/held_by_id_wallet/:address',
      summary: 'NFTs held by an ID wallet that the requester may see.',
      auth: 'required',
      params: AddressParams,
      query: paging,
      response: NftList,
      async handler({ principal, params, query, services }) {
        return services.nftService.listHeldBy(principal, params.address, page(query));
      },
    }),
  ];
}

/** The metadata document behind `token_uri`: public, plain ERC-721 JSON (no envelope, no token). */
export const metadataRoutes = [
  defineRoute({
    name: 'nft.metadata',
    method: 'GET',
    path: '/nft/:token_id/metadata',
    summary: 'ERC-721 metadata JSON of a public NFT (the URL behind token_uri).',
    params: TokenIdParams,
    raw: true,
    response: Erc721Metadata,
    errors: ['NFT_NOT_FOUND'],
    async handler({ params, services, ctx }) {
      ctx.body = await services.nftService.publicMetadata(params.token_id);
      ctx.set('cache-control', 'public, max-age=60');
    },
  }),
];

export function nftRouteGroups(options: ResolvedNftOptions): RouteGroup[] {
  return [{ api: 'web3connect', basePath: '/rest/v1', format: 'web3connect', routes: [...listingRoutes(options), ...nftRoutes, ...metadataRoutes], examples: nftExamples }];
}
