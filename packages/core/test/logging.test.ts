import assert from 'node:assert/strict';
import { createLogEmailSender, createLogSmsSender, redactUrl } from '@w3kit/core';
import { memoryLog } from './support.js';

describe('core logging', () => {
  it('redacts passwords, secrets, codes, tokens and private keys at any of the first levels', () => {
    const { lines, logger } = memoryLog();
    logger.info(
      {
        password: 'p1',
        body: { api_key_secret: 'k1', code: '123456', secretKey: 's1', 'oauth-verifier': 'v1' },
        user: { credentials: { privateKey: '0xpk', token: 't1' } },
        req: { headers: { authorization: 'Bearer abc.def.ghi' } },
        keep: 'visible',
      },
      'a line',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['p1', 'k1', '123456', 's1', 'v1', '0xpk', 't1', 'abc.def.ghi']) assert.doesNotMatch(text, new RegExp(`"${secret}"`));
    assert.equal(lines[0]!['keep'], 'visible');
    assert.equal((lines[0]!['body'] as Record<string, unknown>)['code'], '[REDACTED]');
  });

  it('redacts sensitive query parameters in URLs', () => {
    assert.equal(redactUrl('/nft/verification/qr_code/result?c=ABC&x=1'), '/nft/verification/qr_code/result?c=%5BREDACTED%5D&x=1');
    assert.equal(redactUrl('/cb?oauth_verifier=v&token=t'), '/cb?oauth_verifier=%5BREDACTED%5D&token=%5BREDACTED%5D');
    assert.equal(redactUrl('/redirects/twitter/?oauth_token=t&state=s&x=1'), '/redirects/twitter/?oauth_token=%5BREDACTED%5D&state=%5BREDACTED%5D&x=1');
    assert.equal(redactUrl('/plain/path'), '/plain/path');
  });

  it('the development senders write one line per message with channel, to and text', async () => {
    const { lines, logger } = memoryLog();
    const sms = createLogSmsSender(logger);
    const email = createLogEmailSender(logger);
    assert.equal(sms.development, true);
    await sms.send({ to: '+15555550100', text: 'Your code is 123456' });
    await email.send({ to: 'a@example.com', subject: 'Code', text: 'Your code is 654321' });
    assert.equal(lines.length, 2);
    assert.deepEqual([lines[0]!['channel'], lines[0]!['to'], lines[0]!['text']], ['sms', '+15555550100', 'Your code is 123456']);
    assert.deepEqual([lines[1]!['channel'], lines[1]!['to'], lines[1]!['text']], ['email', 'a@example.com', 'Your code is 654321']);
  });
});
