export function galeraAvailable(): boolean;
export interface GaleraNode {
  host: string;
  port: number;
  /** mysql://w3kit:w3kit@127.0.0.1:<port>/ (this node alone, no database selected). */
  url: string;
  /** The running mariadbd's pid (undefined while killed). */
  readonly pid: number | undefined;
  /** SIGKILL: the node crashes; its datadir is kept for `restart`. */
  kill(): Promise<void>;
  /** Starts the node again; resolves once it has rejoined the cluster and is synced. */
  restart(): Promise<void>;
}
export interface ThrowawayGalera {
  /** `127.0.0.1:<port>` of each node, in order. */
  hosts: string[];
  /** mysql://w3kit:w3kit@h1:p1,h2:p2,h3:p3/ (the kit's host-list format, no database selected). */
  url: string;
  nodes: GaleraNode[];
  /** Stops every node and deletes the datadirs. */
  stop(): Promise<void>;
}
export function startGalera(options?: { log?: (line: string) => void; size?: number; bufferPoolSize?: string }): Promise<ThrowawayGalera>;
/** `url` (mysql://user:password@host:port/db…) on the host list `hosts`, starting at `hosts[first]`. */
export function onHosts(url: string, hosts: readonly string[], first: number): string;
