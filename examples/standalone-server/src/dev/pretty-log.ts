import type { DestinationStream } from 'pino';

/** pino's level numbers and the names a person reads. */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
// pino's own fields, shown in the line's head or not at all
const HEAD = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

const show = (value: unknown): string => (typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value));

/** One JSON log line as `12:00:01.123 INFO  message  key=value …`; a line that is not JSON passes unchanged. */
export function prettyLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof entry['level'] === 'number' ? entry['level'] : 30;
  const time = new Date(typeof entry['time'] === 'number' ? entry['time'] : Date.now()).toISOString().slice(11, 23);
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !HEAD.has(key))
    .map(([key, value]) => `${key}=${show(value)}`)
    .join(' ');
  const tint = (code: string | undefined, text: string) => (color && code ? `\u001b[${code}m${text}\u001b[0m` : text);
  return `${tint('90', time)} ${tint(COLORS[level], name)} ${String(entry['msg'] ?? '')}${fields ? `  ${tint('90', fields)}` : ''}\n`;
}

/**
 * The development console: pino writes its JSON lines here and a person reads them one short
 * line each (colours on a terminal). A few lines of our own instead of pino-pretty: no extra
 * dependency and no worker thread at every CLI start. The JSON format stays for production.
 */
export function prettyDestination(out: NodeJS.WriteStream = process.stdout): DestinationStream {
  const color = out.isTTY === true && !process.env['NO_COLOR'];
  return {
    write(chunk: string) {
      // pino writes one line per call, ending with a line break
      for (const line of chunk.split('\n')) if (line) out.write(prettyLine(line, color));
    },
  };
}

/** The development warning as a box a person cannot miss at the top of the console. */
export function developmentBanner(defaults: readonly string[], urls: { base: string }): string {
  const lines = [
    'DEVELOPMENT MODE: never expose this server.',
    'Running on development defaults:',
    ...defaults.map((d) => `  - ${d}`),
    'SMS and email are not sent: read them at',
    `  ${urls.base}/dev/outbox`,
    'Production: NODE_ENV=production with real settings (README, Configuration).',
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '═'.repeat(width + 2);
  return `╔${bar}╗\n${lines.map((l) => `║ ${l.padEnd(width)} ║`).join('\n')}\n╚${bar}╝\n`;
}
