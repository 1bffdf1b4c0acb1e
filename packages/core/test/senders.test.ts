import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSmtpEmailSender, createTwilioSmsSender, type KitError } from '@w3kit/core';
import { SMTPServer } from 'smtp-server';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-auth-token';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => resolve(body));
  });

/** A local stand-in for Twilio's Messages API that checks each request as Twilio documents it. */
function fakeTwilio(respond: (form: URLSearchParams) => { status: number; body: unknown }) {
  const received: URLSearchParams[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const expectedAuth = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${SID}/Messages.json`) return reply(404, { code: 20404, message: 'not found' });
    if (req.headers.authorization !== expectedAuth) return reply(401, { code: 20003, message: 'Authenticate' });
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return reply(400, { code: 0, message: 'form expected' });
    const form = new URLSearchParams(body);
    if (!form.get('To') || !form.get('Body') || !(form.get('From') || form.get('MessagingServiceSid'))) {
      return reply(400, { code: 21604, message: "A 'To' phone number is required." });
    }
    received.push(form);
    const { status, body: payload } = respond(form);
    reply(status, payload);
  });
  return { server, received };
}

describe('core senders', () => {
  describe('Twilio-compatible SMS sender', () => {
    it('posts To, From and Body to the Messages API with Basic auth', async () => {
      const twilio = fakeTwilio(() => ({ status: 201, body: { sid: 'SM1', status: 'queued' } }));
      const port = await listen(twilio.server);
      try {
        const sender = createTwilioSmsSender({ accountSid: SID, authToken: TOKEN, from: '+15005550006', baseUrl: `http://127.0.0.1:${port}` });
        assert.equal(sender.development, false);
        await sender.send({ to: '+15555550100', text: 'Your code is 123456' });
        assert.equal(twilio.received.length, 1);
        assert.deepEqual(Object.fromEntries(twilio.received[0]!), { To: '+15555550100', Body: 'Your code is 123456', From: '+15005550006' });
      } finally {
        twilio.server.close();
      }
    });

    it('a refused number is SMS_NOT_SENT (422) with the provider code; a failing provider is 503', async () => {
      let mode: 'refuse' | 'crash' = 'refuse';
      const twilio = fakeTwilio(() => (mode === 'refuse' ? { status: 400, body: { code: 21211, message: "The 'To' number is not valid." } } : { status: 500, body: {} }));
      const port = await listen(twilio.server);
      try {
        const sender = createTwilioSmsSender({ accountSid: SID, authToken: TOKEN, messagingServiceSid: 'MG123', baseUrl: `http://127.0.0.1:${port}` });
        await assert.rejects(sender.send({ to: '+10000000000', text: 'x' }), (e: KitError) => {
          assert.equal(e.code, 'SMS_NOT_SENT');
          assert.equal(e.status, 422);
          assert.equal(e.message, 'The phone number cannot receive SMS.');
          assert.deepEqual(e.details, { provider_status: 400, provider_code: 21211 });
          return true;
        });
        mode = 'crash';
        await assert.rejects(sender.send({ to: '+15555550100', text: 'x' }), { code: 'SERVICE_UNAVAILABLE', status: 503 });
      } finally {
        twilio.server.close();
      }
      const wrongToken = createTwilioSmsSender({ accountSid: SID, authToken: 'nope', from: '+15005550006', baseUrl: 'http://127.0.0.1:9' });
      await assert.rejects(wrongToken.send({ to: '+15555550100', text: 'x' }), { code: 'SERVICE_UNAVAILABLE' });
    });

    it('refuses a configuration it cannot send with', () => {
      assert.throws(() => createTwilioSmsSender({ accountSid: 'nope', authToken: TOKEN, from: '+1' }), /accountSid must look like AC/);
      assert.throws(() => createTwilioSmsSender({ accountSid: SID, authToken: TOKEN }), /exactly one of from or messagingServiceSid/);
    });
  });

  describe('SMTP email sender', () => {
    it('delivers to a real SMTP server with authentication', async () => {
      const messages: string[] = [];
      const smtp = new SMTPServer({
        secure: false,
        disabledCommands: ['STARTTLS'],
        authOptional: false,
        onAuth(auth, _session, callback) {
          if (auth.username === 'mailer' && auth.password === 'pw') callback(null, { user: 'mailer' });
          else callback(new Error('Invalid username or password'));
        },
        onData(stream, _session, callback) {
          let data = '';
          stream.on('data', (c: Buffer) => (data += c));
          stream.on('end', () => {
            messages.push(data);
            callback();
          });
        },
        onRcptTo(address, _session, callback) {
          if (address.address.endsWith('@nowhere.test')) {
            const error = new Error('Mailbox unavailable') as Error & { responseCode: number };
            error.responseCode = 550;
            return callback(error);
          }
          callback();
        },
      });
      await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
      const port = (smtp.server.address() as AddressInfo).port;
      const sender = createSmtpEmailSender({ url: `smtp://mailer:pw@127.0.0.1:${port}`, from: 'w3kit <no-reply@example.com>' });
      try {
        await sender.send({ to: 'ada@example.com', subject: 'Your code', text: 'Your code is 123456' });
        assert.equal(messages.length, 1);
        assert.match(messages[0]!, /^To: ada@example\.com$/m);
        assert.match(messages[0]!, /^From: w3kit <no-reply@example\.com>$/m);
        assert.match(messages[0]!, /^Subject: Your code$/m);
        assert.match(messages[0]!, /Your code is 123456/);
        await assert.rejects(sender.send({ to: 'x@nowhere.test', subject: 's', text: 't' }), { code: 'EMAIL_NOT_SENT', status: 422 });
        const wrongPassword = createSmtpEmailSender({ url: `smtp://mailer:bad@127.0.0.1:${port}`, from: 'a@example.com' });
        await assert.rejects(wrongPassword.send({ to: 'ada@example.com', subject: 's', text: 't' }), { code: 'SERVICE_UNAVAILABLE' });
        wrongPassword.close();
      } finally {
        sender.close();
        await new Promise<void>((resolve) => smtp.close(resolve));
      }
    });
  });
});
