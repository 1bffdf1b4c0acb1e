import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createSmtpEmailSender } from '@w3kit/core';
import { SMTPServer } from 'smtp-server';

describe('core SMTP requireTls: STARTTLS made mandatory', () => {
  it('a relay that offers no STARTTLS gets nothing with requireTls (503), and the message without it', async () => {
    const messages: string[] = [];
    const smtp = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      onData(stream, _session, callback) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c));
        stream.on('end', () => {
          messages.push(data);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    const strict = createSmtpEmailSender({ url, from: 'w3kit <no-reply@example.com>', requireTls: true });
    const opportunistic = createSmtpEmailSender({ url, from: 'w3kit <no-reply@example.com>' });
    try {
      await assert.rejects(strict.send({ to: 'ada@example.com', subject: 'Your code', text: 'Your code is 123456' }), { code: 'SERVICE_UNAVAILABLE', status: 503 });
      assert.equal(messages.length, 0, 'the code never went out in clear');
      await opportunistic.send({ to: 'ada@example.com', subject: 'Your code', text: 'Your code is 123456' });
      assert.equal(messages.length, 1);
    } finally {
      strict.close();
      opportunistic.close();
      await new Promise<void>((resolve) => smtp.close(resolve));
    }
  });
});
