export function postgresAvailable(): boolean;
export interface ThrowawayPostgres {
  /** postgres://w3kit:w3kit@127.0.0.1:<port>/postgres (the maintenance database). */
  url: string;
  port: number;
  /** The running postmaster's pid (undefined while shut down). */
  readonly pid: number | undefined;
  /** Stops the server (fast shutdown, or SIGKILL to the postmaster and its backends when `crash`) and keeps its datadir, for `restart`. */
  shutdown(options?: { crash?: boolean }): Promise<void>;
  /** Starts the server again on the same datadir and port (stopping it first if it runs). */
  restart(): Promise<void>;
  /** Stops the server for good and deletes its datadir. */
  stop(): Promise<void>;
}
export function startPostgres(options?: { log?: (line: string) => void; sharedBuffers?: string; maxConnections?: number }): Promise<ThrowawayPostgres>;
