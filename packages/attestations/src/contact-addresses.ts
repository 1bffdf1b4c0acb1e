import { createRequire } from 'node:module';
import { domainToASCII } from 'node:url';
import { normalizeIdentifier } from '@w3kit/core';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';

// libphonenumber's full metadata (the largest part of it) is required on the first phone number, not at start
let libphonenumber: typeof import('libphonenumber-js/max') | undefined;

export type PhoneNumberCheck = 'valid' | 'possible';

export interface PhoneInput {
  phone: string;
  /** Origin's optional `country_calling_code` (`1`, `+44`, 33) for a national number. */
  countryCallingCode?: string | number | undefined;
  /** Country of national numbers sent without a calling code; none: such numbers are refused. */
  defaultCountry?: CountryCode | undefined;
  /**
   * `valid`: the number must be an assigned number of its country (libphonenumber's metadata);
   * `possible`: only its length must fit (admits fictional numbers such as the Origin attestations document's 555-555-5555).
   */
  check: PhoneNumberCheck;
}

/**
 * The E.164 form of a phone number (`+14155552671`), or null when it cannot be parsed, is not
 * a valid (or possible) number, or carries an extension (an SMS cannot reach one).
 */
export function normalizePhoneNumber({ phone, countryCallingCode, defaultCountry, check }: PhoneInput): string | null {
  const callingCode = countryCallingCode === undefined ? undefined : String(countryCallingCode).replace(/^\+/, '');
  libphonenumber ??= createRequire(import.meta.url)('libphonenumber-js/max') as typeof import('libphonenumber-js/max');
  let parsed: PhoneNumber | undefined;
  try {
    parsed = libphonenumber.parsePhoneNumberFromString(phone, callingCode !== undefined ? { defaultCallingCode: callingCode } : defaultCountry !== undefined ? { defaultCountry } : {});
  } catch {
    return null; // a calling code no country has (`9`, `999`): libphonenumber throws instead of answering undefined
  }
  if (!parsed || parsed.ext) return null;
  const acceptable = check === 'valid' ? parsed.isValid() : parsed.isPossible();
  return acceptable ? parsed.number : null;
}

// RFC 5321 dot-atom local part: no quoted strings, no comments, no leading, trailing or double dots.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// A top-level domain is letters (2-63) or an internationalized one in punycode (xn--…).
const TLD = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// Special-use names (RFC 2606, 6761, 6762) that never receive mail from the public internet.
const RESERVED_TLDS = new Set(['localhost', 'local', 'test', 'invalid', 'example', 'internal', 'localdomain', 'home', 'lan', 'corp', 'onion']);

/**
 * The normalized form of an email address (core's `normalizeIdentifier`: NFKC, case folded;
 * then the domain in punycode), or null when it is not a deliverable internet address:
 * `test@localhost`, `a@b`, an IP literal, a quoted local part, a reserved top-level domain, or
 * leading or trailing whitespace (refused, not trimmed, as every identifier of the kit).
 * Folding the local part treats `Ada@x.io` and `ada@x.io` as one mailbox, which is how nearly
 * every provider behaves and keeps a per-address rate limit from being dodged by changing the case.
 */
export function normalizeEmailAddress(input: string): string | null {
  const check = normalizeIdentifier(input);
  if (!check.ok) return null;
  const email = check.identifier;
  if (email.length > 254) return null;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return null;
  const local = email.slice(0, at);
  if (local.length > 64 || !LOCAL_PART.test(local)) return null;
  const domain = domainToASCII(email.slice(at + 1));
  if (domain === '' || domain.length > 253) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null;
  const tld = labels[labels.length - 1]!;
  if (!TLD.test(tld) || RESERVED_TLDS.has(tld)) return null;
  return `${local}@${domain}`;
}
