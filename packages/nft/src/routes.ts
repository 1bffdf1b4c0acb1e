import { defineRoute, Type, type RouteGroup } from '@w3kit/core';
import type { ResolvedNftOptions } from './nft-config.js';
import { AddressParams, CodeQuery, GpsBody, HolderParams, MintBody, pageQuery, SearchBody, TokenIdParams, Visibility, type PageQuery } from './schemas.js';
import type { PageRequest } from './nft-store.js';

const page = (q: PageQuery): PageRequest => ({ perPage: q.perPageItemNum, page: q.pageNum, order: q.order });

export const nftRoutes = [
  defineRoute({
    method: 'POST',
    path: '/nft/mint/to/:holder_id_wallet_address',
    summary: 'Mint an NFT to an end user’s ID wallet (organization with a verified domain).',
    description: 'Optional `Idempotency-Key` header: a retry with the same key and body returns the first result.',
    bearerAuth: true,
    params: HolderParams,
    body: MintBody,
    async handler({ params, body, services, ctx }) {
      const principal = await services.authenticator.require(ctx);
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
    method: 'POST',
    path: '/nft/verification/qr_code/step2',
    summary: 'The scanner verifies the QR code (`?c=CODE`) with its GPS position.',
    bearerAuth: true,
    query: CodeQuery,
    body: GpsBody,
    async handler({ query, body, services, ctx }) {
      const principal = await services.authenticator.require(ctx);
      await services.rateLimiter.enforce('nft.qr.scan', principal.accountId);
      return services.nftService.completeVerification(principal, query.c, body.gps);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/nft/verification/qr_code/result',
    summary: 'The holder polls the verification result of a code.',
    bearerAuth: true,
    query: CodeQuery,
    async handler({ query, services, ctx }) {
      return services.nftService.verificationResult(await services.authenticator.require(ctx), query.c);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/nft/:token_id',
    summary: 'Fetch an NFT (private ones: holder or minter only).',
    bearerAuth: true,
    params: TokenIdParams,
    async handler({ params, services, ctx }) {
      return services.nftService.get(await services.authenticator.require(ctx), params.token_id);
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/nft/:token_id/visibility',
    summary: 'Set an NFT public or private (holder or minter).',
    bearerAuth: true,
    params: TokenIdParams,
    body: Type.Object({ to: Visibility }),
    response: Visibility,
    async handler({ params, body, services, ctx }) {
      return services.nftService.setVisibility(await services.authenticator.require(ctx), params.token_id, body.to);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/nft/:token_id/verification/qr_code/step1',
    summary: 'The holder makes a single-use QR code (5 minutes) with its GPS position.',
    bearerAuth: true,
    params: TokenIdParams,
    body: GpsBody,
    response: Type.Object({ code: Type.String(), qr_code_base64: Type.String() }),
    async handler({ params, body, services, ctx }) {
      return services.nftService.startVerification(await services.authenticator.require(ctx), params.token_id, body.gps);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/nft/:token_id/chain',
    summary: 'The NFT’s mint on chain: status, transaction hash, block (null while private). 404 CHAIN_NOT_CONFIGURED without a chain.',
    bearerAuth: true,
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
    async handler({ params, services, ctx }) {
      return services.nftService.chainStatus(await services.authenticator.require(ctx), params.token_id);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/nft/:token_id/verifications',
    summary: 'Who verified the NFT, when and where (minter only).',
    bearerAuth: true,
    params: TokenIdParams,
    async handler({ params, services, ctx }) {
      return services.nftService.listVerifications(await services.authenticator.require(ctx), params.token_id);
    },
  }),
];

/** The paged listings and searches; their `pageNum` bound is the plugin's `maxPageNum`. */
function listingRoutes(options: ResolvedNftOptions) {
  const paging = pageQuery(options.maxPageNum);
  return [
    defineRoute({
      method: 'GET',
      path: '/nft/minted_by_me',
      summary: 'NFTs minted by the requesting organization.',
      bearerAuth: true,
      query: paging,
      async handler({ query, services, ctx }) {
        return services.nftService.listMintedBy(await services.authenticator.require(ctx), {}, page(query));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/nft/minted_by_me/search',
      summary: 'Field-matching search over the requesting organization’s NFTs (exact match).',
      bearerAuth: true,
      query: paging,
      body: SearchBody,
      async handler({ query, body, services, ctx }) {
        return services.nftService.listMintedBy(await services.authenticator.require(ctx), body, page(query));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/nft/search',
      summary: 'Field-matching search over public NFTs (exact match).',
      bearerAuth: true,
      query: paging,
      body: SearchBody,
      async handler({ query, body, services, ctx }) {
        await services.authenticator.require(ctx);
        return services.nftService.searchPublic(body, page(query));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/nft/held_by_id_wallet/:address',
      summary: 'NFTs held by an ID wallet that the requester may see.',
      bearerAuth: true,
      params: AddressParams,
      query: paging,
      async handler({ params, query, services, ctx }) {
        return services.nftService.listHeldBy(await services.authenticator.require(ctx), params.address, page(query));
      },
    }),
  ];
}

/** The metadata document behind `token_uri`: public, plain ERC-721 JSON (no envelope, no token). */
export const metadataRoutes = [
  defineRoute({
    method: 'GET',
    path: '/nft/:token_id/metadata',
    summary: 'ERC-721 metadata JSON of a public NFT (the URL behind token_uri).',
    params: TokenIdParams,
    raw: true,
    async handler({ params, services, ctx }) {
      ctx.body = await services.nftService.publicMetadata(params.token_id);
      ctx.set('cache-control', 'public, max-age=60');
    },
  }),
];

export function nftRouteGroups(options: ResolvedNftOptions): RouteGroup[] {
  return [
    { api: 'web3connect', basePath: '/rest/v1', format: 'web3connect', routes: [...listingRoutes(options), ...nftRoutes, ...metadataRoutes] },
  ];
}
