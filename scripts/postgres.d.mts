import type { ThrowawayServer } from './throwaway-server.mjs';
export function postgresAvailable(): boolean;
/** url: postgres://w3kit:w3kit@127.0.0.1:<port>/postgres; a crash SIGKILLs the postmaster and its backends. */
export type ThrowawayPostgres = ThrowawayServer;
export function startPostgres(options?: { log?: (line: string) => void; sharedBuffers?: string; maxConnections?: number }): Promise<ThrowawayPostgres>;
