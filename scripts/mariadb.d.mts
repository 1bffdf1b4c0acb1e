export function mariadbAvailable(): boolean;
export function startMariadb(options?: { log?: (line: string) => void }): Promise<{ url: string; port: number; pid: number; stop(): Promise<void> }>;
