import { createRequire } from 'node:module';
import type { Clock, ConsumeResult, EmailSender, Logger, OneTimeCodes, Principal, RandomSource, RateLimiter, SmsSender } from '@w3kit/core';
import type { PhoneNumberType } from 'libphonenumber-js/max';
import type { AccountRecord, AccountStore } from './account-store.js';
import type { ResolvedAuthOptions } from './auth-config.js';
import { TxtLookupError, type TxtResolver } from './dns-txt-resolver.js';
import { verificationCodeEmail } from './email-messages.js';
import { authErrors } from './errors.js';

/** The prefix of the TXT record an organization publishes on its domain. */
export const DOMAIN_TXT_PREFIX = 'web3connect-domain-verification=';

/**
 * The rules of the Web3Connect verify API: phone numbers by a code sent over SMS, an
 * organization's domain by a TXT record. Who may do what is decided here, not in the routes.
 */
export interface VerificationService {
  /** Sends a 6-digit code to the number; `tmp_token` names the code in step 2. */
  phoneStep1(principal: Principal, phoneNumber: string): Promise<{ tmp_token: string; code_sent: true }>;
  /** Checks the code; on success the number becomes the account's verified phone number. */
  phoneStep2(principal: Principal, tmpToken: string, code: string): Promise<true>;
  /** Sends a 6-digit code to the account's email; 409 EMAIL_NOT_SET, EMAIL_ALREADY_VERIFIED; 429 past the send limits. */
  emailStep1(principal: Principal): Promise<{ tmp_token: string; code_sent: true }>;
  /** Checks the code; on success the account's email is verified (`email_verified` in my_info). */
  emailStep2(principal: Principal, tmpToken: string, code: string): Promise<true>;
  /** The TXT record the organization must publish (the same one until it is verified). */
  domainStep1(principal: Principal): Promise<{ txt_record: string; domain: string }>;
  /** Looks the TXT record up in DNS; on a match the organization's domain is verified. */
  domainStep2(principal: Principal): Promise<true>;
  /**
   * The operator's override (the `w3kit org verify-domain` command, never an HTTP route): marks
   * the organization's domain verified without a DNS lookup, and writes an audit line to the log.
   * 404 ACCOUNT_NOT_FOUND, 403 ORGANIZATION_ONLY, 409 DOMAIN_NOT_SET.
   */
  verifyDomainByOperator(accountId: string, audit: { operator: string; mode: string }): Promise<{ account_id: string; domain: string; already_verified: boolean }>;
}

export interface VerificationServiceDeps {
  accountStore: AccountStore;
  oneTimeCodes: OneTimeCodes;
  smsSender: SmsSender;
  emailSender: EmailSender;
  rateLimiter: RateLimiter;
  txtResolver: TxtResolver;
  logger: Logger;
  clock: Clock;
  random: RandomSource;
  options: Pick<ResolvedAuthOptions, 'phoneCodeTtlSeconds' | 'phoneCodeMaxAttempts' | 'emailCodeTtlSeconds' | 'emailCodeMaxAttempts'>;
}

interface PhoneCodeData {
  accountId: string;
  phoneNumber: string;
}

interface EmailCodeData {
  email: string;
}

/** Sends a just-issued code; when it cannot go out, revokes it, since nobody received it, and rethrows. */
export async function deliverOrRevoke(oneTimeCodes: OneTimeCodes, code: { purpose: string; subject: string }, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    await oneTimeCodes.revoke(code.purpose, code.subject);
    throw error;
  }
}

/**
 * The error for a failed check of a code named by its tmp_token: UNKNOWN_TMP_TOKEN when no code
 * has it. Telling that apart is safe because a code's purpose names its account: a tmp_token of
 * another account is unknown here too, so the answer says nothing about other accounts' codes.
 */
function tmpTokenFailure(result: Extract<ConsumeResult<unknown>, { ok: false }>) {
  return result.reason === 'not_found' ? authErrors.create('UNKNOWN_TMP_TOKEN') : codeFailure(result);
}

/** The error for a failed code check: 422 INVALID_CODE (with `attempts_left`), TOO_MANY_ATTEMPTS, or CODE_EXPIRED. */
export function codeFailure(result: Extract<ConsumeResult<unknown>, { ok: false }>) {
  if (result.reason === 'invalid') return authErrors.create('INVALID_CODE', { details: { attempts_left: result.attemptsLeft } });
  if (result.reason === 'exhausted') return authErrors.create('TOO_MANY_ATTEMPTS');
  return authErrors.create('CODE_EXPIRED');
}

const E164 = /^\+[1-9]\d{1,14}$/;
// Numbers libphonenumber knows cannot take a text message; anything else valid is tried.
const NOT_TEXTABLE = new Set<PhoneNumberType>(['FIXED_LINE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'UAN', 'VOICEMAIL', 'PAGER']);

// libphonenumber's full metadata is required on the first phone number, not at start
let libphonenumber: typeof import('libphonenumber-js/max') | undefined;

/** The number in canonical E.164, or 400 INVALID_PHONE_NUMBER. */
export function parseMobileNumber(input: string): string {
  if (!E164.test(input)) throw authErrors.create('INVALID_PHONE_NUMBER');
  libphonenumber ??= createRequire(import.meta.url)('libphonenumber-js/max') as typeof import('libphonenumber-js/max');
  const parsed = libphonenumber.parsePhoneNumberFromString(input);
  if (!parsed?.isValid()) {
    throw authErrors.create('INVALID_PHONE_NUMBER', { message: `${input} is not a valid phone number (checked against its country's numbering plan).` });
  }
  const type = parsed.getType();
  if (type && NOT_TEXTABLE.has(type)) {
    throw authErrors.create('INVALID_PHONE_NUMBER', { message: `${input} is a ${type.toLowerCase().replace(/_/g, ' ')} number, which cannot receive SMS; use a mobile number.` });
  }
  // `+8860912345678` (the Web3Connect document's sample, with Taiwan's trunk 0) canonicalizes to +886912345678
  return parsed.number;
}

export function createVerificationService(deps: VerificationServiceDeps): VerificationService {
  const { accountStore, oneTimeCodes, smsSender, emailSender, rateLimiter, txtResolver, logger, clock, random, options } = deps;

  const requireAccount = async (principal: Principal) => {
    const account = await accountStore.findById(principal.accountId);
    if (!account) throw authErrors.create('ACCOUNT_NOT_FOUND');
    return account;
  };

  const requireOrganization = async (principal: Principal) => {
    if (principal.accountType !== 'organization') throw authErrors.create('ORGANIZATION_ONLY');
    const account = await requireAccount(principal);
    if (account.accountType !== 'organization') throw authErrors.create('ORGANIZATION_ONLY');
    if (!account.domain) throw authErrors.create('DOMAIN_NOT_SET');
    return account as AccountRecord & { domain: string };
  };

  // The account is part of the purpose, so a tmp_token of another account is simply not
  // found: it cannot spend that code's attempts, nor consume it with the right code.
  const phonePurpose = (accountId: string) => `auth.phone:${accountId}`;
  const emailPurpose = (accountId: string) => `auth.email:${accountId}`;

  return {
    async phoneStep1(principal, input) {
      const phoneNumber = parseMobileNumber(input);
      const account = await requireAccount(principal);
      await rateLimiter.enforce('auth.phone.account', account.id);
      await rateLimiter.enforce('auth.phone.number', phoneNumber);
      const purpose = phonePurpose(account.id);
      const subject = `${account.id}:${phoneNumber}`;
      const issued = await oneTimeCodes.issue<PhoneCodeData>({
        purpose,
        subject,
        ttlSeconds: options.phoneCodeTtlSeconds,
        maxAttempts: options.phoneCodeMaxAttempts,
        data: { accountId: account.id, phoneNumber },
        supersede: true,
      });
      const minutes = Math.ceil(options.phoneCodeTtlSeconds / 60);
      await deliverOrRevoke(oneTimeCodes, { purpose, subject }, () =>
        smsSender.send({ to: phoneNumber, text: `Your Web3Connect verification code is ${issued.secret}. It expires in ${minutes} minute${minutes === 1 ? '' : 's'}.` }),
      );
      return { tmp_token: issued.handle, code_sent: true };
    },

    async phoneStep2(principal, tmpToken, code) {
      const account = await requireAccount(principal);
      const result = await oneTimeCodes.consume<PhoneCodeData>(phonePurpose(account.id), { handle: tmpToken }, code);
      if (!result.ok) throw tmpTokenFailure(result);
      if (result.data.accountId !== account.id) throw authErrors.create('CODE_EXPIRED'); // cannot happen with the per-account purpose
      await accountStore.update(account.id, { phoneNumber: result.data.phoneNumber, phoneVerified: true }, clock.now());
      return true;
    },

    async emailStep1(principal) {
      const account = await requireAccount(principal);
      if (!account.email) throw authErrors.create('EMAIL_NOT_SET');
      if (account.emailVerified) throw authErrors.create('EMAIL_ALREADY_VERIFIED');
      // Per account, and per address whoever asks (the association sign-up shares this one), so
      // nobody can flood an inbox through the kit.
      await rateLimiter.enforce('auth.email.account', account.id);
      await rateLimiter.enforce('auth.email.address', account.email);
      const purpose = emailPurpose(account.id);
      const issued = await oneTimeCodes.issue<EmailCodeData>({
        purpose,
        subject: account.email,
        ttlSeconds: options.emailCodeTtlSeconds,
        maxAttempts: options.emailCodeMaxAttempts,
        data: { email: account.email },
        supersede: true,
      });
      const to = account.email;
      await deliverOrRevoke(oneTimeCodes, { purpose, subject: to }, () => emailSender.send(verificationCodeEmail(to, issued.secret, options.emailCodeTtlSeconds, 'verify')));
      return { tmp_token: issued.handle, code_sent: true };
    },

    async emailStep2(principal, tmpToken, code) {
      const account = await requireAccount(principal);
      const result = await oneTimeCodes.consume<EmailCodeData>(emailPurpose(account.id), { handle: tmpToken }, code);
      if (!result.ok) throw tmpTokenFailure(result);
      // The code proves the address it went to; an account whose email changed since proves nothing.
      if (result.data.email !== account.email) throw authErrors.create('CODE_EXPIRED');
      await accountStore.update(account.id, { emailVerified: true }, clock.now());
      return true;
    },

    async domainStep1(principal) {
      const account = await requireOrganization(principal);
      let token = account.domainTxtToken;
      if (!token) {
        // Two first calls at once must hand out the same value: only the first write sticks.
        await accountStore.setDomainTxtTokenIfMissing(account.id, random.token(24), clock.now());
        token = (await requireAccount(principal)).domainTxtToken;
        if (!token) throw new Error('domain TXT token was not stored');
      }
      return { txt_record: `${DOMAIN_TXT_PREFIX}${token}`, domain: account.domain };
    },

    async domainStep2(principal) {
      const account = await requireOrganization(principal);
      if (account.domainVerified) return true;
      if (!account.domainTxtToken) throw authErrors.create('DOMAIN_TXT_NOT_ISSUED');
      await rateLimiter.enforce('auth.domain.check', account.id);
      const expected = `${DOMAIN_TXT_PREFIX}${account.domainTxtToken}`;
      const where = { domain: account.domain, txt_record: expected };
      let records: string[][];
      try {
        records = await txtResolver.resolveTxt(account.domain);
      } catch (error) {
        if (!(error instanceof TxtLookupError)) throw error;
        if (error.reason === 'unavailable') {
          throw authErrors.create('DNS_UNAVAILABLE', { message: `The DNS lookup of ${account.domain} failed (${error.code}); try again later.`, details: where, cause: error });
        }
        const missing = error.code === 'ENOTFOUND' ? `${account.domain} does not exist in DNS` : `${account.domain} has no TXT record`;
        throw authErrors.create('DOMAIN_NOT_VERIFIED', { message: `${missing}; publish the TXT record "${expected}" on ${account.domain}.`, details: where });
      }
      // A long record arrives as several character-strings: the value is their concatenation.
      const values = records.map((chunks) => chunks.join('').trim());
      if (!values.includes(expected)) {
        const stale = values.filter((value) => value.startsWith(DOMAIN_TXT_PREFIX));
        const found = stale.length > 0 ? `found ${stale.map((v) => `"${v}"`).join(', ')} instead` : `none of its ${values.length} TXT record(s) matches`;
        throw authErrors.create('DOMAIN_NOT_VERIFIED', { message: `Expected the TXT record "${expected}" on ${account.domain}; ${found}.`, details: where });
      }
      await accountStore.update(account.id, { domainVerified: true }, clock.now());
      return true;
    },

    async verifyDomainByOperator(accountId, audit) {
      const account = await requireOrganization({ accountId, accountType: 'organization' });
      const already = account.domainVerified;
      if (!already) await accountStore.update(account.id, { domainVerified: true }, clock.now());
      // warn, not info: an override skips the proof of control, so it must stand out in the log
      logger.warn(
        { audit: 'auth.domain.operator_override', accountId: account.id, domain: account.domain, operator: audit.operator, mode: audit.mode, alreadyVerified: already },
        `domain ${account.domain} marked verified by the operator, without a DNS check`,
      );
      return { account_id: account.id, domain: account.domain, already_verified: already };
    },
  };
}
