import type { ThrowawayServer } from './throwaway-server.mjs';
export function mariadbAvailable(): boolean;
/** url: mysql://w3kit:w3kit@127.0.0.1:<port>/ (no database selected). */
export type ThrowawayMariadb = ThrowawayServer;
export function startMariadb(options?: { log?: (line: string) => void; bufferPoolSize?: string }): Promise<ThrowawayMariadb>;
