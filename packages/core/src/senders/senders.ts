import type { Logger } from 'pino';

export interface SmsMessage {
  /** E.164 phone number. */
  to: string;
  text: string;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends text messages. Implementations: the development log sender, a Twilio-compatible HTTP sender. */
export interface SmsSender {
  /** True for senders that do not deliver (log only); production mode refuses them. */
  readonly development: boolean;
  send(message: SmsMessage): Promise<void>;
}

/** Sends email. Implementations: the development log sender, SMTP. */
export interface EmailSender {
  readonly development: boolean;
  send(message: EmailMessage): Promise<void>;
}

/**
 * The development sender: one log line per message with `channel`, `to` and `text`, so a person
 * running the server locally can read the code. Never used in production (createKit refuses it).
 */
export function createLogSmsSender(logger: Logger): SmsSender {
  return {
    development: true,
    async send({ to, text }) {
      logger.info({ channel: 'sms', to, text }, 'development sender: SMS not delivered, logged instead');
    },
  };
}

export function createLogEmailSender(logger: Logger): EmailSender {
  return {
    development: true,
    async send({ to, subject, text }) {
      logger.info({ channel: 'email', to, subject, text }, 'development sender: email not delivered, logged instead');
    },
  };
}
