/** Test helpers for `NftStore` implementations: the conformance suite every store must pass. */
export { nftStoreConformance, type NftStoreConformanceCase } from './nft-store-conformance.js';
