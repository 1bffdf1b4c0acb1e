export { payloadStoreConformanceCases, type PayloadStoreConformanceCase } from './payload-store-conformance.js';
