import assert from 'node:assert/strict';
import { auth } from '@w3kit/auth';
import { rootMount } from '@w3kit/core/testing';
import { verificationSuite } from './verification.suite.js';

describe('auth: DNS TXT resolver and options', () => {
  it('auth() refuses dnsServers that are not ip or ip:port, saying which', () => {
    assert.throws(() => auth({ dnsServers: ['localhost:53'] }), /dnsServers: "localhost:53" is not ip, ip:port or \[ipv6\]:port/);
    assert.throws(() => auth({ dnsServers: ['127.0.0.1:70000'] }), /dnsServers: "127.0.0.1:70000": port must be 1-65535/);
    assert.throws(() => auth({ dnsTimeoutMs: 0 }), /dnsTimeoutMs must be a positive integer/);
    assert.doesNotThrow(() => auth({ dnsServers: ['127.0.0.1', '127.0.0.1:5353', '::1', '[::1]:5353'] }));
  });
});

verificationSuite(rootMount);
