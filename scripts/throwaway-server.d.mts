/** A throwaway database server (scripts/mariadb.mjs, scripts/postgres.mjs). */
export interface ThrowawayServer {
  /** A URL for the server's admin user (MariaDB: no database selected; PostgreSQL: the `postgres` database). */
  url: string;
  port: number;
  /** The running server's pid (undefined while shut down). */
  readonly pid: number | undefined;
  /** Stops the server (cleanly, or with SIGKILL when `crash`) and keeps its datadir, for `restart`. */
  shutdown(options?: { crash?: boolean }): Promise<void>;
  /** Starts the server again on the same datadir and port (stopping it first if it runs). */
  restart(): Promise<void>;
  /** Stops the server for good and deletes its datadir. */
  stop(): Promise<void>;
}
