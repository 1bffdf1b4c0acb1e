import type { RouteExample } from '@w3kit/core';

// The Origin attestations document's request samples, with its placeholders made valid values.
const IDENTITY = '0x112234455C3a32FD11230C42E7Bccd4A84e02010';

/** Request examples of the Origin attestation routes. */
export const originExamples: Record<string, RouteExample> = {
  'POST /phone/generate-code': { body: { country_calling_code: '1', phone: '4155552671', method: 'sms', locale: 'en' } },
  'POST /phone/verify': { body: { country_calling_code: '1', phone: '4155552671', code: '123456', identity: IDENTITY } },
  'POST /email/generate-code': { body: { email: 'ada@example.com' } },
  'POST /email/verify': { body: { email: 'ada@example.com', code: '123456', identity: IDENTITY } },
  'POST /facebook/verify': { body: { code: 'AQD8x1v3-facebook-oauth-code', identity: IDENTITY } },
  'POST /twitter/verify': { body: { 'oauth-token': 'NPcudxy0yU5T3tBzho7iCotZ3cnetKwcTIRlX0iwRl0', 'oauth-verifier': 'uw7NjWHT6OJ1MpJOXsHfNxoAhPKpgI8BlYDhxEjIBY', identity: IDENTITY } },
};
