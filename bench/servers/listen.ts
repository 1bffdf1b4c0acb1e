import type Koa from 'koa';

/** Listens on PORT (0 = any) on loopback and prints the line the harness waits for. */
export function listen(app: Koa, onClose?: () => Promise<void>): void {
  const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => void (onClose ? onClose() : Promise.resolve()).finally(() => process.exit(0))));
}
