import type { EmailMessage } from '@w3kit/core';

const minutesOf = (ttlSeconds: number) => {
  const minutes = Math.ceil(ttlSeconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
};

/** The email carrying a verification code: for `verify/email/step1`, or to finish a sign-up on the association page. */
export function verificationCodeEmail(to: string, code: string, ttlSeconds: number, reason: 'verify' | 'sign-up'): EmailMessage {
  const what = reason === 'sign-up' ? 'to finish creating your Web3Connect account' : 'to verify your email address on Web3Connect';
  return {
    to,
    subject: `Your Web3Connect code: ${code}`,
    text: `Enter the code ${code} ${what}. It expires in ${minutesOf(ttlSeconds)}.\n\nIf you did not ask for it, ignore this message: nothing happens without the code.`,
  };
}

/** Tells the end user that an organization imported their account by email, the moment it happens. */
export function importNoticeEmail(to: string, organization: { name: string; domain: string }): EmailMessage {
  return {
    to,
    subject: `${organization.name} connected to your Web3Connect account`,
    text:
      `${organization.name} (${organization.domain}) imported your Web3Connect account by this email address and now knows your ID wallet address.\n\n` +
      'Your account lists every organization connected to it (GET /rest/v1/account/associations). If you do not know this organization, contact them or the operator of this service.',
  };
}

/**
 * Sent instead of a code when someone signs up with an address that already has an account: the
 * page answers them as for a new address (no account enumeration), and only the owner learns it.
 */
export function signUpAttemptEmail(to: string, organization: { name: string; domain: string }): EmailMessage {
  return {
    to,
    subject: 'Someone tried to sign up with your email address',
    text:
      `Someone tried to create a new Web3Connect account with this email address, to connect it to ${organization.name} (${organization.domain}).\n\n` +
      'You already have an account with this address, so nothing was created or changed. If it was you, sign in with your existing password instead. ' +
      'If it was not you, you can ignore this message.',
  };
}
