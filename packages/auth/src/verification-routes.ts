import { defineRoute, Type } from '@w3kit/core';

// What the phone and email steps share: step 1 names its code, step 2 checks it.
const CodeSent = Type.Object({ tmp_token: Type.String({ description: 'names the code in step 2' }), code_sent: Type.Literal(true) });
const CodeCheck = Type.Object({
  tmp_token: Type.String({ minLength: 1, maxLength: 128 }),
  code: Type.String({ pattern: '^[0-9]{6}$', description: '6 digits' }),
});
const CODE_CHECK_ERRORS = '422 INVALID_CODE (with `attempts_left`), CODE_EXPIRED (expired or used), UNKNOWN_TMP_TOKEN (no code of this account has the `tmp_token`) or TOO_MANY_ATTEMPTS.';

/** Web3Connect verify API (`/rest/v1/verify/…`, `{status,result,error}` envelope). */
export const web3connectVerificationRoutes = [
  defineRoute({
    name: 'auth.verify.phone.step1',
    method: 'POST',
    path: '/verify/phone/step1',
    summary: 'Send a 6-digit verification code by SMS to a phone number (E.164).',
    description: 'The number is checked against its country’s numbering plan (400 INVALID_PHONE_NUMBER). Sends are rate-limited per number and per account (429).',
    auth: 'required',
    // Checked by the service, so a malformed number answers INVALID_PHONE_NUMBER rather than VALIDATION_FAILED.
    body: Type.Object({ phone_number: Type.String({ maxLength: 64, description: 'E.164, e.g. +14155550100' }) }),
    response: CodeSent,
    errors: ['INVALID_PHONE_NUMBER', 'RATE_LIMITED', 'SMS_NOT_SENT'],
    async handler({ principal, body, services }) {
      return services.verificationService.phoneStep1(principal, body.phone_number);
    },
  }),
  defineRoute({
    name: 'auth.verify.phone.step2',
    method: 'POST',
    path: '/verify/phone/step2',
    summary: 'Check the code sent in step 1; the number becomes the account’s verified phone number.',
    description: CODE_CHECK_ERRORS,
    auth: 'required',
    body: CodeCheck,
    response: Type.Literal(true),
    errors: ['CODE_EXPIRED', 'INVALID_CODE', 'TOO_MANY_ATTEMPTS'],
    async handler({ principal, body, services }) {
      return services.verificationService.phoneStep2(principal, body.tmp_token, body.code);
    },
  }),
  defineRoute({
    name: 'auth.verify.email.step1',
    method: 'POST',
    path: '/verify/email/step1',
    summary: 'Send a 6-digit verification code to the account’s own email address.',
    description: 'No body (or `{}`). 409 EMAIL_NOT_SET when the account has no email, EMAIL_ALREADY_VERIFIED once verified. ' + 'Sends are rate-limited per account and per address (429).',
    auth: 'required',
    response: CodeSent,
    errors: ['EMAIL_ALREADY_VERIFIED', 'EMAIL_NOT_SET', 'RATE_LIMITED'],
    async handler({ principal, services }) {
      return services.verificationService.emailStep1(principal);
    },
  }),
  defineRoute({
    name: 'auth.verify.email.step2',
    method: 'POST',
    path: '/verify/email/step2',
    summary: 'Check the code sent in step 1; the account’s email becomes verified (`email_verified` in my_info).',
    description: CODE_CHECK_ERRORS,
    auth: 'required',
    body: CodeCheck,
    response: Type.Literal(true),
    errors: ['CODE_EXPIRED', 'INVALID_CODE', 'TOO_MANY_ATTEMPTS'],
    async handler({ principal, body, services }) {
      return services.verificationService.emailStep2(principal, body.tmp_token, body.code);
    },
  }),
  defineRoute({
    name: 'auth.verify.domain.step1',
    method: 'GET',
    path: '/verify/domain/step1',
    summary: 'The TXT record the organization must publish on its domain (organization only).',
    auth: 'required',
    response: Type.Object({ txt_record: Type.String({ description: 'web3connect-domain-verification=…' }), domain: Type.String() }),
    errors: ['ORGANIZATION_ONLY'],
    async handler({ principal, services }) {
      return services.verificationService.domainStep1(principal);
    },
  }),
  defineRoute({
    name: 'auth.verify.domain.step2',
    method: 'GET',
    path: '/verify/domain/step2',
    summary: 'Check the domain’s TXT record in DNS; on a match the domain is verified (organization only).',
    description: '422 DOMAIN_NOT_VERIFIED when the record is missing or different, 503 DNS_UNAVAILABLE when DNS does not answer, 409 DOMAIN_TXT_NOT_ISSUED before step 1.',
    auth: 'required',
    response: Type.Literal(true),
    errors: ['DNS_UNAVAILABLE', 'DOMAIN_NOT_VERIFIED', 'DOMAIN_TXT_NOT_ISSUED', 'ORGANIZATION_ONLY', 'RATE_LIMITED'],
    async handler({ principal, services }) {
      return services.verificationService.domainStep2(principal);
    },
  }),
];
