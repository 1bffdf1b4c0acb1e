import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createSmtpEmailSender, createTwilioSmsSender, type KitError } from '@w3kit/core';
import { startTwilioStandIn } from '@w3kit/core/testing';
import { SMTPServer } from 'smtp-server';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-auth-token';

describe('core senders', () => {
  describe('Twilio-compatible SMS sender', () => {
    it('posts To, From and Body to the Messages API with Basic auth', async () => {
      const twilio = await startTwilioStandIn({ accountSid: SID, authToken: TOKEN });
      try {
        const sender = createTwilioSmsSender({ accountSid: SID, authToken: TOKEN, from: '+15005550006', baseUrl: twilio.url });
        assert.equal(sender.development, false);
        await sender.send({ to: '+15555550100', text: 'Your code is 123456' });
        assert.equal(twilio.received.length, 1);
        assert.deepEqual(Object.fromEntries(twilio.received[0]!), { To: '+15555550100', Body: 'Your code is 123456', From: '+15005550006' });
      } finally {
        await twilio.close();
      }
    });

    it('a refused number is SMS_NOT_SENT (422) with the provider code; a failing provider is 503', async () => {
      let mode: 'refuse' | 'crash' = 'refuse';
      const twilio = await startTwilioStandIn({
        accountSid: SID,
        authToken: TOKEN,
        respond: () => (mode === 'refuse' ? { status: 400, body: { code: 21211, message: "The 'To' number is not valid." } } : { status: 500, body: {} }),
      });
      try {
        const sender = createTwilioSmsSender({ accountSid: SID, authToken: TOKEN, messagingServiceSid: 'MG123', baseUrl: twilio.url });
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
        await twilio.close();
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
