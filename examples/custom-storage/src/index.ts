export { openHostDatabase, type HostDatabase } from './host-database.js';
export { createHostNftStore } from './host-nft-store.js';
export { createHostKit, type HostKitOptions } from './host-kit.js';
