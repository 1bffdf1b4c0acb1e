import { createRequire } from 'node:module';
import type { Transporter } from 'nodemailer';
import { coreErrors } from '../errors.js';
import type { EmailSender } from './senders.js';

export interface SmtpEmailConfig {
  /** `smtp://user:password@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  url: string;
  /** The From header, e.g. `w3kit <no-reply@example.com>`. */
  from: string;
  /** Accept self-signed certificates (tests, private relays). Default false. */
  allowSelfSigned?: boolean;
  /**
   * For `smtp://`: refuse to send unless the relay upgrades to TLS with STARTTLS (otherwise
   * STARTTLS is used only when offered, and a stripped offer sends in clear). Default false.
   */
  requireTls?: boolean;
}

/** Sends email over SMTP with nodemailer (pooled connections). */
export function createSmtpEmailSender(config: SmtpEmailConfig): EmailSender & { close(): void } {
  if (!/^smtps?:\/\//.test(config.url)) throw new TypeError('SMTP url must start with smtp:// or smtps://');
  if (!config.from) throw new TypeError('SMTP from address is required');
  const url = new URL(config.url);
  const secure = url.protocol === 'smtps:';
  // nodemailer (CommonJS) is required when an SMTP sender is made, not when the kit is imported
  const { createTransport } = createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');
  const transport: Transporter = createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(config.requireTls && !secure ? { requireTLS: true } : {}),
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    pool: true,
    ...(config.allowSelfSigned ? { tls: { rejectUnauthorized: false } } : {}),
  });
  return {
    development: false,
    async send({ to, subject, text, html }) {
      try {
        await transport.sendMail({ from: config.from, to, subject, text, ...(html ? { html } : {}) });
      } catch (error) {
        // a 5xx reply to the envelope or message is a refusal of this message (bad mailbox);
        // anything else (connection, authentication, 4xx) is the relay failing us
        const { code, responseCode } = error as { code?: string; responseCode?: number };
        const refused = (code === 'EENVELOPE' || code === 'EMESSAGE') && Number(responseCode) >= 500;
        if (refused) throw coreErrors.create('EMAIL_NOT_SENT', { message: 'The mail server refused the message.', cause: error });
        throw coreErrors.create('SERVICE_UNAVAILABLE', { message: 'The mail server could not be reached.', cause: error });
      }
    },
    close: () => transport.close(),
  };
}
