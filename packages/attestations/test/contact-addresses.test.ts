import assert from 'node:assert/strict';
import { normalizeEmailAddress, normalizePhoneNumber } from '@w3kit/attestations';

describe('contact addresses', () => {
  describe('phone numbers (libphonenumber-js)', () => {
    const valid = (phone: string, countryCallingCode?: string | number) => normalizePhoneNumber({ phone, countryCallingCode, check: 'valid' });

    it('normalizes E.164 and national numbers with a calling code to E.164', () => {
      assert.equal(valid('+14155552671'), '+14155552671');
      assert.equal(valid('+1 (415) 555-2671'), '+14155552671');
      assert.equal(valid('415 555 2671', '1'), '+14155552671');
      assert.equal(valid('4155552671', '+1'), '+14155552671');
      assert.equal(valid('06 12 34 56 78', 33), '+33612345678');
      assert.equal(normalizePhoneNumber({ phone: '4155552671', defaultCountry: 'US', check: 'valid' }), '+14155552671');
    });

    it('refuses what cannot be parsed, is not a valid number, or has an extension', () => {
      for (const phone of ['', 'abc', '+999123', '+1415555267', '4155552671', '+14155552671 ext. 12', '+1 415 555 2671 1234']) {
        assert.equal(valid(phone), null, phone);
      }
      assert.equal(valid('5555555555', '1'), null, "the Origin attestations document's number is fictional: not valid");
      for (const code of ['9', '+9', 999, '+80']) assert.equal(valid('4155550100', code), null, `calling code ${code} belongs to no country (was a throw: a 500)`);
    });

    it("admits the Origin attestations document's fictional 555-555-5555 when only a possible number is required", () => {
      assert.equal(normalizePhoneNumber({ phone: '5555555555', countryCallingCode: '1', check: 'possible' }), '+15555555555');
      assert.equal(normalizePhoneNumber({ phone: '55555', countryCallingCode: '1', check: 'possible' }), null);
    });
  });

  describe('email addresses', () => {
    it('normalizes case, full-width forms and internationalized domains; refuses surrounding whitespace', () => {
      assert.equal(normalizeEmailAddress('Ada.Lovelace@Example.COM'), 'ada.lovelace@example.com');
      assert.equal(normalizeEmailAddress('ａｄａ@example.com'), 'ada@example.com');
      assert.equal(normalizeEmailAddress('  Ada.Lovelace@Example.COM '), null);
      assert.equal(normalizeEmailAddress("o'brien+tag@mail.example.co.uk"), "o'brien+tag@mail.example.co.uk");
      assert.equal(normalizeEmailAddress('user@bücher.de'), 'user@xn--bcher-kva.de');
      assert.equal(normalizeEmailAddress('user@example.xn--p1ai'), 'user@example.xn--p1ai');
    });

    it('refuses test@localhost-style and malformed addresses', () => {
      const refused = [
        'test@localhost',
        'test@localhost.localhost',
        'a@b',
        'a@b.c',
        'a@b.c1',
        'a@example.test',
        'a@host.local',
        'a@example.invalid',
        'a@127.0.0.1',
        'a@[127.0.0.1]',
        '"quoted"@example.com',
        '.a@example.com',
        'a.@example.com',
        'a..b@example.com',
        'a@-example.com',
        'a@example-.com',
        'a@exa_mple.com',
        'a@example..com',
        'a b@example.com',
        '@example.com',
        'a@',
        'no-at-sign.example.com',
        `${'x'.repeat(65)}@example.com`,
        `a@${'x'.repeat(250)}.com`,
      ];
      for (const email of refused) assert.equal(normalizeEmailAddress(email), null, email);
    });
  });
});
