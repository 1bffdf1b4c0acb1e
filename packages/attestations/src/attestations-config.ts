import type { CountryCode } from 'libphonenumber-js';
import type { ClaimSignatureForm } from './claim-signer.js';
import type { PhoneNumberCheck } from './contact-addresses.js';
import type { FacebookOAuthConfig } from './facebook-oauth.js';
import type { TwitterOAuthConfig } from './twitter-oauth.js';

/** What a code message is built from. */
export interface CodeMessageInput {
  code: string;
  /** Minutes until the code expires. */
  expiresInMinutes: number;
  /** Origin's optional `locale` of the phone request (`en-US`), if the client sent one. */
  locale?: string;
}

/** Options of `attestations(options)`. */
export interface AttestationsOptions {
  /**
   * The private key (0x + 64 hex) that signs every claim. Required. The well-known test key
   * `0x…01` (which reproduces the Origin attestations document's samples) is refused in production mode.
   */
  signerKey: string;
  /**
   * What the key signs: `bytes32` (default) signs the 32 bytes of the claim hash, the form
   * Origin's on-chain ClaimVerifier accepts; `legacy-hex-string` signs its 66-character hex text,
   * as an older bridge did (it reproduces the Origin attestations document's samples, and fails on chain).
   */
  signatureForm?: ClaimSignatureForm;
  /** Lifetime of a phone code in seconds. Default 600 (10 minutes). */
  phoneCodeTtlSeconds?: number;
  /** Lifetime of an email code in seconds. Default 1800 (30 minutes). */
  emailCodeTtlSeconds?: number;
  /** Tries (right or wrong) a code allows before it is dead. Default 5. */
  maxCodeAttempts?: number;
  /** Country of national phone numbers sent without `country_calling_code` (`US`). Default none: such numbers are refused. */
  defaultPhoneCountry?: CountryCode;
  /**
   * `valid` (default): a phone number must be assigned in its country's numbering plan;
   * `possible`: its length must fit (admits fictional numbers such as the Origin attestations document's 555-555-5555).
   */
  phoneNumberCheck?: PhoneNumberCheck;
  /** Lifetime of an OAuth flow, from `auth-url` to `verify`, in seconds. Default 600. */
  oauthFlowTtlSeconds?: number;
  /** Facebook app credentials and endpoints; unset: the Facebook endpoints answer 422 "not configured". */
  facebook?: FacebookOAuthConfig & {
    /** The `redirect_uri` registered with Facebook. Default `<publicUrl><mountPath>/redirects/facebook/`. */
    redirectUri?: string;
  };
  /** Twitter app credentials and endpoint; unset: the Twitter endpoints answer 422 "not configured". */
  twitter?: TwitterOAuthConfig & {
    /** The callback URL registered with Twitter. Default `<publicUrl><mountPath>/redirects/twitter/`. */
    callbackUrl?: string;
  };
  /**
   * `targetOrigin` of the redirect pages' `postMessage` to their opener: the dapp's origin
   * (`https://dapp.example`), so a page of any other origin that opened the redirect page never
   * receives the code or verifier. Required in production mode; elsewhere the default is `*`, as
   * the Origin attestations document documents.
   */
  openerOrigin?: string;
  /** The SMS text. Default: `Your verification code is 123456. It expires in 10 minutes.` */
  smsText?: (input: CodeMessageInput) => string;
  /** The email. Default: subject `Your verification code`, a text body like the SMS. */
  email?: (input: CodeMessageInput) => { subject: string; text: string };
}

export type ResolvedAttestationsOptions = Required<Omit<AttestationsOptions, 'facebook' | 'twitter' | 'defaultPhoneCountry'>> &
  Pick<AttestationsOptions, 'facebook' | 'twitter' | 'defaultPhoneCountry'>;

const defaultSmsText = ({ code, expiresInMinutes }: CodeMessageInput) => `Your verification code is ${code}. It expires in ${expiresInMinutes} minutes.`;

const defaultEmail = (input: CodeMessageInput) => ({
  subject: 'Your verification code',
  text: `${defaultSmsText(input)}\n\nIf you did not ask for it, ignore this message.\n`,
});

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`attestations: ${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/** Applies the defaults and fails fast, at composition, on options the plugin cannot run with. */
export function resolveAttestationsOptions(options: AttestationsOptions): ResolvedAttestationsOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('attestations: options are required (at least { signerKey })');
  const check = options.phoneNumberCheck ?? 'valid';
  if (check !== 'valid' && check !== 'possible') throw new TypeError('attestations: phoneNumberCheck must be "valid" or "possible"');
  if (options.defaultPhoneCountry !== undefined && !/^[A-Z]{2}$/.test(options.defaultPhoneCountry)) {
    throw new TypeError('attestations: defaultPhoneCountry must be an ISO 3166 alpha-2 code such as "US"');
  }
  // '*' stays for development and tests, as the Origin attestations document has it; production refuses it at register
  const openerOrigin = options.openerOrigin ?? '*';
  if (openerOrigin !== '*' && !/^https?:\/\/[^\s/]+$/.test(openerOrigin)) throw new TypeError('attestations: openerOrigin must be "*" or an origin such as https://dapp.example');
  return {
    signerKey: options.signerKey,
    // createClaimSigner checks the value
    signatureForm: options.signatureForm ?? 'bytes32',
    phoneCodeTtlSeconds: positiveInteger('phoneCodeTtlSeconds', options.phoneCodeTtlSeconds, 600),
    emailCodeTtlSeconds: positiveInteger('emailCodeTtlSeconds', options.emailCodeTtlSeconds, 1800),
    maxCodeAttempts: positiveInteger('maxCodeAttempts', options.maxCodeAttempts, 5),
    defaultPhoneCountry: options.defaultPhoneCountry,
    phoneNumberCheck: check,
    oauthFlowTtlSeconds: positiveInteger('oauthFlowTtlSeconds', options.oauthFlowTtlSeconds, 600),
    facebook: options.facebook,
    twitter: options.twitter,
    openerOrigin,
    smsText: options.smsText ?? defaultSmsText,
    email: options.email ?? defaultEmail,
  };
}

/** Rate-limit rules the plugin declares; a kit config may override them by name. */
export const attestationRateLimits = {
  /** Codes sent to one phone number or email address: 3 per 10 minutes. */
  'attestations.send.target': { limit: 3, windowSeconds: 600 },
  /** Codes sent on behalf of one client IP: 10 per 10 minutes. */
  'attestations.send.client': { limit: 10, windowSeconds: 600 },
  /** OAuth flows started by one client IP (`auth-url`): 20 per 10 minutes. */
  'attestations.oauth.client': { limit: 20, windowSeconds: 600 },
} as const;
