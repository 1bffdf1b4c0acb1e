/** Test helpers for `NftStore` implementations: the conformance suite every store must pass. */
export { sampleStaticMetadata } from './sample-metadata.js';
export { nftStoreConformance, type NftStoreConformanceCase } from './nft-store-conformance.js';
