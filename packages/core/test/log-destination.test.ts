import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs, { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLogger, type Kit } from '@w3kit/core';
import { pino, type Logger } from 'pino';
import request from 'supertest';
import { accessLog } from '../dist/logging/logger.js';
import { appFor, probeKit } from './support.js';

const CORE = fileURLToPath(new URL('..', import.meta.url));

/** A stream keeping every line pino writes, as written. */
function rawLines(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(line);
      done();
    },
  });
  return { lines, stream };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fileText = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

describe('core access line (hz3): the fields and redaction of pino, written by hand', () => {
  let kit: Kit | undefined;
  afterEach(async () => {
    await kit?.close();
    kit = undefined;
  });

  /** The access lines a request through a kit with `logger` wrote. */
  async function accessLinesOf(logger: Logger, lines: string[], path: string, requestId: string): Promise<string[]> {
    kit = await probeKit({ logger });
    await request(appFor(kit).callback()).get(path).set('x-request-id', requestId);
    return lines.filter((line) => line.includes(`"${requestId}"`));
  }

  it('is, but for the time, the very line pino writes for logger.info({ reqId, method, url, status, ms }, "request")', async () => {
    const { lines, stream } = rawLines();
    const logger = createLogger({ level: 'info', name: 'w3kit' }, stream);
    const [line] = await accessLinesOf(logger, lines, '/v2/things/7?pageNum=2', 'same-as-pino');
    assert.ok(line, 'one access line');
    const fields = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(Object.keys(fields), ['level', 'time', 'pid', 'hostname', 'name', 'reqId', 'method', 'url', 'status', 'ms', 'msg']);
    assert.equal(typeof fields['time'], 'number');
    assert.ok(Math.abs(Number(fields['time']) - Date.now()) < 60_000);
    assert.equal(typeof fields['ms'], 'number');
    logger.info({ reqId: fields['reqId'], method: fields['method'], url: fields['url'], status: fields['status'], ms: fields['ms'] }, 'request');
    const byPino = lines.at(-1)!;
    const withoutTime = (text: string) => text.replace(/"time":\d+/, '"time":0');
    assert.equal(withoutTime(line), withoutTime(byPino));
    assert.deepEqual([fields['method'], fields['url'], fields['status'], fields['msg']], ['GET', '/v2/things/7?pageNum=2', 200, 'request']);
  });

  it('redacts sensitive query values and stays one valid JSON line for a URL with quotes, backslashes and escapes', async () => {
    const { lines, stream } = rawLines();
    const [line] = await accessLinesOf(createLogger({ level: 'info' }, stream), lines, '/v2/things/1?token=SECRET1&c=SECRET2&q=%22a%5C%22&x="b\\', 'odd-url');
    assert.ok(line);
    const fields = JSON.parse(line) as Record<string, unknown>;
    assert.equal(fields['url'], '/v2/things/1?token=%5BREDACTED%5D&c=%5BREDACTED%5D&q=%22a%5C%22&x=%22b%5C');
    assert.doesNotMatch(lines.join('\n'), /SECRET1|SECRET2/);
  });

  it('matches pino for awkward values: non-ASCII and control characters, quotes, and times from 0 to minutes', () => {
    const { lines, stream } = rawLines();
    const logger = createLogger({ level: 'info', name: 'w3kit' }, stream);
    const write = accessLog(logger);
    const urls = ['/healthz', '/caf\u00e9?q=\u{1f600}', '/a"b\\c', '/tab\there\u0001', '/\u2028line', '/x?y=%22'];
    const durations = [0, 0.04, 0.05, 0.1, 0.95, 1, 9.96, 12.34, 99.95, 100, 1234.56, 65432.1];
    const withoutTime = (text: string) => text.replace(/"time":\d+/, '"time":0');
    for (const url of urls) {
      for (const ms of durations) {
        write('req-1', 'GET', url, 200, ms);
        const ours = lines.at(-1)!;
        logger.info({ reqId: 'req-1', method: 'GET', url, status: 200, ms: Math.round(ms * 10) / 10 }, 'request');
        assert.equal(withoutTime(ours), withoutTime(lines.at(-1)!), `${url} ${ms}`);
      }
    }
  });

  it("through the kit's buffered destination, where it is encoded as bytes, is pino's line too: awkward values, odd request ids, a line longer than the buffer", () => {
    const dir = mkdtempSync(join(tmpdir(), 'w3kit-access-'));
    try {
      const file = join(dir, 'access.log');
      // a small buffer: lines are held, written out and moved to its front many times over
      const logger = createLogger({ level: 'info', name: 'w3kit', destination: file, bufferBytes: 512, flushIntervalMs: 600_000 });
      const write = accessLog(logger);
      const urls = ['/healthz', '/v2/things/7?pageNum=2', '/caf\u00e9?q=\u{1f600}', '/a"b\\c', '/back\\slash', '/tab\there\u0001', '/\u2028line', `/${'m'.repeat(1500)}`, `/${'long'.repeat(4000)}`];
      const requestIds = ['4a89059b-1685-4f05-9b86-1a732e6dd415', 'caller.id:7_x-y', 'q"uote'];
      const durations = [0, 0.04, 0.05, 0.1, 0.95, 1, 9.96, 12.34, 99.95, 100, 1234.56, 65432.1];
      const statuses = [200, 404, 503];
      const expected: string[] = [];
      for (const url of urls)
        for (const reqId of requestIds)
          for (const [i, ms] of durations.entries()) {
            const status = statuses[i % statuses.length]!;
            write(reqId, 'GET', url, status, ms);
            logger.info({ reqId, method: 'GET', url, status, ms: Math.round(ms * 10) / 10 }, 'request');
            expected.push(`${reqId} ${url.slice(0, 20)} ${ms}`);
          }
      const before = Date.now();
      write('last', 'DELETE', '/x', 204, 3);
      logger.flush();
      const lines = fileText(file).split('\n').filter(Boolean);
      assert.equal(lines.length, expected.length * 2 + 1, 'every line, whole');
      const withoutTime = (text: string) => text.replace(/"time":\d+/, '"time":0');
      for (const [i, label] of expected.entries()) assert.equal(withoutTime(lines[2 * i]!), withoutTime(lines[2 * i + 1]!), label);
      const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
      assert.deepEqual([last['reqId'], last['method'], last['url'], last['status'], last['ms']], ['last', 'DELETE', '/x', 204, 3]);
      assert.ok(Math.abs(Number(last['time']) - before) < 1000, `the time is now: ${String(last['time'])}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not written while the logger is above info, and is again once it is back', async () => {
    const { lines, stream } = rawLines();
    const logger = createLogger({ level: 'warn' }, stream);
    assert.deepEqual(await accessLinesOf(logger, lines, '/healthz', 'quiet-one'), []);
    await kit?.close();
    logger.level = 'info';
    assert.equal((await accessLinesOf(logger, lines, '/healthz', 'loud-one')).length, 1);
  });

  it("a host's own pino logger (its formatters) and a child of a kit logger write it through pino", async () => {
    const host = rawLines();
    const hostLogger = pino({ formatters: { level: (label) => ({ severity: label.toUpperCase() }) } }, host.stream);
    const [hostLine] = await accessLinesOf(hostLogger, host.lines, '/healthz?token=T0P', 'host-logger');
    assert.ok(hostLine);
    const hostFields = JSON.parse(hostLine) as Record<string, unknown>;
    assert.equal(hostFields['severity'], 'INFO');
    assert.equal(hostFields['level'], undefined);
    assert.equal(hostFields['url'], '/healthz?token=%5BREDACTED%5D');
    await kit?.close();
    const child = rawLines();
    const childLogger = createLogger({ level: 'info' }, child.stream).child({ component: 'identity' });
    const [childLine] = await accessLinesOf(childLogger, child.lines, '/healthz', 'child-logger');
    assert.ok(childLine);
    assert.equal((JSON.parse(childLine) as Record<string, unknown>)['component'], 'identity');
  });
});

describe('core buffered log destination (hz3): bufferBytes, flushIntervalMs, flushed at exit', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds lines until bufferBytes of them, then writes them at once; logger.flush() writes what is held', () => {
    const file = join(dir, 'held.log');
    const logger = createLogger({ level: 'info', destination: file, bufferBytes: 2048, flushIntervalMs: 600_000 });
    logger.info({ n: 0 }, 'first');
    assert.equal(fileText(file), '', 'one line is held');
    for (let n = 1; n < 30; n++) logger.info({ n, padding: 'x'.repeat(80) }, 'more');
    const written = fileText(file).split('\n').filter(Boolean);
    assert.ok(written.length >= 15 && written.length < 30, `written at ~2 KB: ${written.length} lines`);
    assert.equal((JSON.parse(written[0]!) as Record<string, unknown>)['msg'], 'first');
    logger.info({ n: 30 }, 'last');
    logger.flush();
    const all = fileText(file).split('\n').filter(Boolean);
    assert.equal(all.length, 31);
    assert.equal((JSON.parse(all.at(-1)!) as Record<string, unknown>)['msg'], 'last');
  });

  it('writes a held line within flushIntervalMs on a quiet server', async () => {
    const file = join(dir, 'quiet.log');
    const logger = createLogger({ level: 'info', destination: file, flushIntervalMs: 50 });
    logger.info('one line, far below bufferBytes');
    assert.equal(fileText(file), '');
    await sleep(400);
    assert.match(fileText(file), /one line, far below bufferBytes/);
  });

  it('bufferBytes 0 writes every line at once', () => {
    const file = join(dir, 'direct.log');
    const logger = createLogger({ level: 'info', destination: file, bufferBytes: 0 });
    logger.info('at once');
    assert.match(fileText(file), /at once/);
  });

  it('refuses settings it cannot honour, naming them', () => {
    assert.throws(() => createLogger({ bufferBytes: -1 }), /bufferBytes must be a non-negative integer, got -1/);
    assert.throws(() => createLogger({ bufferBytes: 1.5 }), /bufferBytes must be a non-negative integer/);
    assert.throws(() => createLogger({ flushIntervalMs: 0 }), /flushIntervalMs must be a positive integer, got 0/);
  });

  it('keeps every line whole and in order: multi-byte characters, and a line longer than the buffer after the held ones', () => {
    const file = join(dir, 'order.log');
    const logger = createLogger({ level: 'info', destination: file, bufferBytes: 256, flushIntervalMs: 600_000 });
    const messages = ['caf\u00e9', '\u{1f600} smile', '\u6f22\u5b57', 'x'.repeat(5000), 'after the long one', '\u00e9'.repeat(3000)];
    for (const msg of messages) logger.info(msg);
    logger.flush();
    const written = fileText(file)
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as Record<string, unknown>)['msg']);
    assert.deepEqual(written, messages);
  });

  it('writes whole lines, at most bufferBytes at a time (a pipe write of 4096 is atomic), a longer line alone', () => {
    const file = join(dir, 'sizes.log');
    const fd = openSync(file, 'a');
    const writes: number[] = [];
    const realWriteSync = fs.writeSync;
    // the destination's named import of writeSync follows the builtin once synced
    fs.writeSync = ((...args: Parameters<typeof fs.writeSync>) => {
      const written = realWriteSync(...args);
      if (args[0] === fd) writes.push(written);
      return written;
    }) as typeof fs.writeSync;
    syncBuiltinESMExports();
    try {
      const logger = createLogger({ level: 'info', destination: fd, bufferBytes: 4096, flushIntervalMs: 600_000 });
      const messages = Array.from({ length: 120 }, (_, i) => (i === 60 ? 'L'.repeat(6000) : `${i} ${'\u00e9x'.repeat((i * 37) % 200)}`));
      // access lines between them: encoded as bytes into the same held buffer
      const access = accessLog(logger);
      for (const [i, msg] of messages.entries()) {
        logger.info(msg);
        access(`req-${i}`, 'GET', `/things/${'p'.repeat((i * 53) % 300)}`, 200, i);
      }
      logger.flush();
      const text = fileText(file);
      const fields = text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(
        fields.map((line) => line['msg']),
        messages.flatMap((msg) => [msg, 'request']),
      );
      assert.deepEqual(
        fields.filter((line) => line['msg'] === 'request').map((line) => line['reqId']),
        messages.map((_, i) => `req-${i}`),
      );
      assert.equal(
        writes.reduce((a, b) => a + b, 0),
        Buffer.byteLength(text),
      );
      const long = writes.filter((bytes) => bytes > 4096);
      assert.equal(long.length, 1, `one write past 4096, the long line's: ${writes.join(' ')}`);
      assert.ok(writes.length >= 8, `written in pieces: ${writes.join(' ')}`);
    } finally {
      fs.writeSync = realWriteSync;
      syncBuiltinESMExports();
      closeSync(fd);
    }
  });

  it('a full non-blocking pipe is waited for, and a short write goes on with the rest: every byte arrives, in order', async () => {
    const fifo = join(dir, 'full.pipe');
    const drained = join(dir, 'drained');
    execFileSync('mkfifo', [fifo]);
    // a reader of our own lets the writer open without blocking; the child reads late
    const ownReader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(fifo)}, 'r'); console.log('open'); setTimeout(() => fs.writeFileSync(${JSON.stringify(drained)}, fs.readFileSync(fd)), 300);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => child.stdout.once('data', resolve));
    closeSync(ownReader);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const logger = createLogger({ level: 'info', destination: writer, bufferBytes: 4096, flushIntervalMs: 600_000 });
      // four times a pipe's 64 KB: partial writes, then EAGAIN until the child reads
      const messages = Array.from({ length: 40 }, (_, i) => `${i} ${'\u00e9'.repeat(3000)}`);
      for (const msg of messages) logger.info(msg);
      logger.flush();
      closeSync(writer);
      await exited;
      const written = fileText(drained)
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as Record<string, unknown>)['msg']);
      assert.deepEqual(written, messages);
    } finally {
      child.kill();
    }
  });

  it('a broken pipe (the reader gone) ends the logging without an error', () => {
    const fifo = join(dir, 'broken.pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    closeSync(reader);
    try {
      const logger = createLogger({ level: 'info', destination: writer, bufferBytes: 64, flushIntervalMs: 600_000 });
      assert.doesNotThrow(() => {
        for (let i = 0; i < 10; i++) logger.info({ i }, 'into a broken pipe');
        logger.flush();
      });
      let flushed: Error | undefined | null = null;
      logger.flush((error) => (flushed = error));
      assert.equal(flushed, undefined, 'flush(cb) answers without an error');
    } finally {
      closeSync(writer);
    }
  });

  it('another write error goes to flush(cb), and is thrown by the write that fills the buffer', () => {
    const file = join(dir, 'read-only.log');
    closeSync(openSync(file, 'a'));
    // a descriptor open for reading only: each write fails with EBADF
    const fd = openSync(file, 'r');
    try {
      const held = createLogger({ level: 'info', destination: fd, bufferBytes: 1_000_000, flushIntervalMs: 600_000 });
      held.info('held until the write fails');
      let given: NodeJS.ErrnoException | undefined;
      held.flush((error) => (given = error));
      assert.equal(given?.code, 'EBADF');
      const small = createLogger({ level: 'info', destination: fd, bufferBytes: 64, flushIntervalMs: 600_000 });
      assert.throws(() => small.info('a line past bufferBytes is written at once'), { code: 'EBADF' });
    } finally {
      closeSync(fd);
    }
  });

  it('a server stopped by SIGTERM (serveUntilSignal) loses none of its held lines: the last access line is in the file', async () => {
    const file = join(dir, 'server.log');
    const script = `
      import { createKit, createLogger, serveUntilSignal } from '@w3kit/core';
      import Koa from 'koa';
      const logger = createLogger({ level: 'info', destination: ${JSON.stringify(file)}, flushIntervalMs: 600000 });
      const kit = await createKit({ database: 'sqlite::memory:', logger, config: { masterKey: '${'ab'.repeat(32)}', mode: 'test', passwordHashCost: 10 } });
      const app = new Koa();
      app.use(kit.middleware());
      const { port } = await serveUntilSignal(app, { port: 0, host: '127.0.0.1', logger, close: () => kit.close() });
      process.stdout.write('port ' + port + '\\n');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: CORE, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /port (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      void exited.then(() => reject(new Error(`the server exited early: ${stderr}`)));
    });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/healthz?token=SECRET', headers: { 'x-request-id': 'the-last-one', connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    assert.equal(fileText(file), '', 'the line is still held (flushIntervalMs is long)');
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    const lines = fileText(file)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = lines.find((line) => line['reqId'] === 'the-last-one');
    assert.ok(access, `the access line is in the file: ${JSON.stringify(lines)}`);
    assert.deepEqual([access['method'], access['url'], access['status']], ['GET', '/healthz?token=%5BREDACTED%5D', 200]);
    assert.ok(lines.some((line) => line['signal'] === 'SIGTERM'));
  });
});
