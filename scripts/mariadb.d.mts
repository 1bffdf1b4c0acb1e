export function mariadbAvailable(): boolean;
export interface ThrowawayMariadb {
  /** mysql://w3kit:w3kit@127.0.0.1:<port>/ (no database selected). */
  url: string;
  port: number;
  /** The running mariadbd's pid (undefined while shut down). */
  readonly pid: number | undefined;
  /** Stops the server (cleanly, or with SIGKILL when `crash`) and keeps its datadir, for `restart`. */
  shutdown(options?: { crash?: boolean }): Promise<void>;
  /** Starts the server again on the same datadir and port (stopping it first if it runs). */
  restart(): Promise<void>;
  /** Stops the server for good and deletes its datadir. */
  stop(): Promise<void>;
}
export function startMariadb(options?: { log?: (line: string) => void; bufferPoolSize?: string }): Promise<ThrowawayMariadb>;
