import { coreErrors } from '../errors.js';
import type { SmsSender } from './senders.js';

export interface TwilioSmsConfig {
  /** Account SID (`AC…`). */
  accountSid: string;
  /** Auth token; sent only as HTTP Basic credentials. */
  authToken: string;
  /** Sender number (E.164) — or `messagingServiceSid`. */
  from?: string;
  /** Messaging service SID (`MG…`), used instead of `from`. */
  messagingServiceSid?: string;
  /** API base URL. Default `https://api.twilio.com`; any Twilio-compatible provider works. */
  baseUrl?: string;
  /** Request timeout in ms. Default 10000. */
  timeoutMs?: number;
}

/**
 * Sends SMS through Twilio's Messages API (or a compatible provider):
 * `POST {baseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`, `Body`
 * and `From` or `MessagingServiceSid`, HTTP Basic auth with the account SID and auth token.
 * A refusal by the provider (4xx) is `SMS_NOT_SENT` (422, with Twilio's error code); an
 * unreachable or failing provider is `SERVICE_UNAVAILABLE` (503).
 */
export function createTwilioSmsSender(config: TwilioSmsConfig): SmsSender {
  if (!/^AC[0-9a-zA-Z]{8,}$/.test(config.accountSid)) throw new TypeError('Twilio accountSid must look like AC…');
  if (!config.authToken) throw new TypeError('Twilio authToken is required');
  if (!config.from === !config.messagingServiceSid) throw new TypeError('Twilio needs exactly one of from or messagingServiceSid');
  const base = (config.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
  return {
    development: false,
    async send({ to, text }) {
      const form = new URLSearchParams({ To: to, Body: text });
      if (config.from) form.set('From', config.from);
      else form.set('MessagingServiceSid', config.messagingServiceSid!);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form,
          signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
        });
      } catch (error) {
        throw coreErrors.create('SERVICE_UNAVAILABLE', { message: 'The SMS provider could not be reached.', cause: error });
      }
      if (response.status === 201 || response.status === 200) return;
      if (response.status >= 500) throw coreErrors.create('SERVICE_UNAVAILABLE', { message: 'The SMS provider is unavailable.' });
      const problem = (await response.json().catch(() => ({}))) as { code?: number; message?: string };
      throw coreErrors.create('SMS_NOT_SENT', {
        message: problem.code === 21211 || problem.code === 21614 ? 'The phone number cannot receive SMS.' : 'The SMS provider refused the message.',
        details: { provider_status: response.status, ...(problem.code === undefined ? {} : { provider_code: problem.code }) },
      });
    },
  };
}
