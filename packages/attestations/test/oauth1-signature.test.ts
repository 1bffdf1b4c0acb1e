import assert from 'node:assert/strict';
import { hmacSha1Signature, oauth1AuthorizationHeader, percentEncode, signatureBaseString } from '@w3kit/attestations';

describe('OAuth 1.0a signing (RFC 5849)', () => {
  it('builds the base string of RFC 5849 §3.4.1.1 (repeated, empty and encoded parameters)', () => {
    const url = 'http://EXAMPLE.com:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b';
    const params: [string, string][] = [
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ['oauth_signature', 'left out'],
      ['realm', 'left out'],
      ...new URL(url).searchParams,
      ...new URLSearchParams('c2&a3=2+q'),
    ];
    assert.equal(
      signatureBaseString('post', url, params),
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26' +
        'oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });

  it('reproduces Twitter\'s documented signature ("Creating a signature")', () => {
    const header = oauth1AuthorizationHeader(
      {
        method: 'POST',
        url: 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
        form: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
        nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
        timestamp: 1318622958,
      },
      {
        consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
        consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
        token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
        tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
      },
    );
    assert.match(header, /^OAuth /);
    assert.match(header, /oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"/);
    assert.match(header, /oauth_version="1\.0"/);
    assert.match(header, /oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"/);
  });

  it('signs protocol parameters such as oauth_callback, and keys HMAC-SHA1 with the encoded secrets', () => {
    const request = { method: 'POST', url: 'https://api.twitter.com/oauth/request_token', nonce: 'n', timestamp: 1 };
    const credentials = { consumerKey: 'key', consumerSecret: 's&cret' };
    const a = oauth1AuthorizationHeader({ ...request, extra: { oauth_callback: 'https://id.example.com/redirects/twitter/' } }, credentials);
    const b = oauth1AuthorizationHeader({ ...request, extra: { oauth_callback: 'https://evil.example/redirects/twitter/' } }, credentials);
    assert.match(a, /oauth_callback="https%3A%2F%2Fid\.example\.com%2Fredirects%2Ftwitter%2F"/);
    assert.notEqual(/oauth_signature="([^"]+)"/.exec(a)![1], /oauth_signature="([^"]+)"/.exec(b)![1]);
    assert.equal(hmacSha1Signature('base', 's&cret'), hmacSha1Signature('base', 's&cret', ''));
    assert.notEqual(hmacSha1Signature('base', 's&cret'), hmacSha1Signature('base', 's', 'cret'));
  });

  it('percent-encodes as RFC 3986 wants: only unreserved characters stay', () => {
    assert.equal(percentEncode("Ladies + Gentlemen!*'()~-._"), 'Ladies%20%2B%20Gentlemen%21%2A%27%28%29~-._');
    assert.equal(percentEncode('☃'), '%E2%98%83');
  });
});
