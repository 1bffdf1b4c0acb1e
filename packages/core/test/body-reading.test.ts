import assert from 'node:assert/strict';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kit } from '@w3kit/core';
import request from 'supertest';
import { appFor, probeKit } from './support.js';

/** A POST to the probe's echo route with the body written in `chunks` (chunked: no content-length). */
async function chunkedPost(server: Server, chunks: Buffer[], contentType = 'application/json') {
  const { port } = server.address() as AddressInfo;
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v2/echo', headers: { 'content-type': contentType, 'transfer-encoding': 'chunked' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString()) as Record<string, unknown> }));
    });
    req.on('error', reject);
    (async () => {
      for (const chunk of chunks) {
        req.write(chunk);
        await new Promise((r) => setTimeout(r, 5));
      }
      req.end();
    })().catch(reject);
  });
}

describe('core HTTP body reading: chunks, limits and JSON media types', () => {
  let kit: Kit;
  let server: Server;

  before(async () => {
    kit = await probeKit();
    server = appFor(kit).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await kit.close();
  });

  it('a body in several chunks, a UTF-8 character split between two of them, is read whole', async () => {
    const bytes = Buffer.from(JSON.stringify({ name: 'Zoë 🦊', count: 3 }));
    const split = bytes.indexOf(Buffer.from('🦊')) + 2;
    const res = await chunkedPost(server, [bytes.subarray(0, 5), bytes.subarray(5, split), bytes.subarray(split)]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { name: 'Zoë 🦊', count: 3 });
  });

  it('a chunked body that passes the limit while streaming: 413 PAYLOAD_TOO_LARGE, and the connection answers', async () => {
    const pad = Buffer.from('x'.repeat(64 * 1024));
    const res = await chunkedPost(server, [Buffer.from('{"name":"a","pad":"'), pad, pad, pad, pad, Buffer.from('"}')]);
    assert.equal(res.status, 413);
    assert.equal(res.body['code'], 'PAYLOAD_TOO_LARGE');
    assert.equal(res.body['message'], 'The request body is too large.');
  });

  it('application/json with any parameters and +json types are JSON; look-alikes are 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const http = request(server);
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON', 'application/ld+json']) {
      const res = await http
        .post('/v2/echo')
        .set('content-type', type)
        .send(JSON.stringify({ name: 'Ada' }));
      assert.equal(res.status, 200, type);
      assert.deepEqual(res.body, { name: 'Ada' }, type);
    }
    for (const type of ['application/jsonx', 'text/json', 'application/x-www-form-urlencoded', 'json']) {
      const res = await http
        .post('/v2/echo')
        .set('content-type', type)
        .send(JSON.stringify({ name: 'Ada' }));
      assert.equal(res.status, 415, type);
      assert.equal(res.body.code, 'UNSUPPORTED_MEDIA_TYPE', type);
    }
  });
});
