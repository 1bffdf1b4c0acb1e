import { escapeHtml, kitPageHeaders, renderKitPage } from '@w3kit/auth';
import { defineRoute, KitConfigError, Type, type EmailSender, type KitPlugin, type Logger, type SmsSender, type KitServices } from '@w3kit/core';
import { asFunction } from '@w3kit/core';
import { createKyselyOutboxStore, devOutboxMigrations, type OutboxMessage, type OutboxStore } from './outbox-store.js';

declare module '@w3kit/core' {
  interface KitServices {
    /** Registered by the standalone server's devOutbox plugin, in development only. */
    outboxStore: OutboxStore;
  }
}

export interface DevOutboxOptions {
  /** How many messages the outbox keeps (the newest); older ones are deleted as new ones arrive. Default 200. */
  keep?: number;
}

/** The development senders: they log as core's do, and keep the message for `/dev/outbox`. */
function outboxSenders(store: OutboxStore, logger: Logger, now: () => Date): { smsSender: SmsSender; emailSender: EmailSender } {
  return {
    smsSender: {
      development: true,
      async send({ to, text }) {
        logger.info({ channel: 'sms', to, text }, 'development sender: SMS not delivered, logged and kept in /dev/outbox');
        await store.add({ channel: 'sms', to, subject: null, text }, now());
      },
    },
    emailSender: {
      development: true,
      async send({ to, subject, text }) {
        logger.info({ channel: 'email', to, subject, text }, 'development sender: email not delivered, logged and kept in /dev/outbox');
        await store.add({ channel: 'email', to, subject, text }, now());
      },
    },
  };
}

// Six digits on their own: the codes the kit sends, picked out so the page can show them big.
const CODE = /\b\d{6}\b/;

const OutboxEntry = Type.Object({
  channel: Type.Union([Type.Literal('sms'), Type.Literal('email')]),
  to: Type.String(),
  subject: Type.Union([Type.String(), Type.Null()]),
  text: Type.String(),
  code: Type.Union([Type.String(), Type.Null()]),
  sent_at: Type.String({ format: 'date-time' }),
});

const entryOf = (m: OutboxMessage) => ({ channel: m.channel, to: m.to, subject: m.subject, text: m.text, code: CODE.exec(m.text)?.[0] ?? null, sent_at: m.sentAt.toISOString() });

function renderOutbox(messages: OutboxMessage[], keep: number): string {
  const rows = messages
    .map(entryOf)
    .map(
      (m) =>
        `<li><p><b>${m.channel === 'sms' ? 'SMS' : 'Email'}</b> to ${escapeHtml(m.to)} · <time datetime="${m.sent_at}">${m.sent_at}</time></p>` +
        (m.code ? `<p>code <b class="code">${m.code}</b></p>` : '') +
        (m.subject ? `<p>${escapeHtml(m.subject)}</p>` : '') +
        `<p>${m.text.split('\n').map(escapeHtml).join('<br>')}</p></li>`,
    )
    .join('\n');
  const body = `<h1>Development outbox</h1>
<p>What the development senders would have sent, newest first (the last ${keep}; reload for new ones). Nothing here was delivered. This page does not exist in production.</p>
${rows ? `<ol class="outbox">\n${rows}\n</ol>` : '<p>No message yet: ask for a phone or email code, and it appears here.</p>'}`;
  return renderKitPage('Development outbox', body);
}

/**
 * The standalone server's development outbox: SMS and email the development senders "sent",
 * kept in the database (every instance writes and reads the same table), shown at `/dev/outbox`
 * (HTML) and `/dev/outbox.json`. Refuses production: the outbox holds one-time codes in clear.
 */
export function devOutbox(options: DevOutboxOptions = {}) {
  const keep = options.keep ?? 200;
  if (!Number.isInteger(keep) || keep < 1 || keep > 10_000) throw new TypeError('devOutbox: keep must be an integer from 1 to 10000');
  return {
    name: 'dev-outbox',
    migrations: devOutboxMigrations,
    register(container, { config }) {
      if (config.mode === 'production') throw new KitConfigError(['devOutbox: the development outbox cannot run in production (it keeps one-time codes readable)']);
      container.register({
        outboxStore: asFunction(({ database }: KitServices) => createKyselyOutboxStore(database, keep)).singleton(),
        smsSender: asFunction(({ outboxStore, logger, clock }: KitServices) => outboxSenders(outboxStore, logger, () => clock.now()).smsSender).singleton(),
        emailSender: asFunction(({ outboxStore, logger, clock }: KitServices) => outboxSenders(outboxStore, logger, () => clock.now()).emailSender).singleton(),
      });
    },
    routes: [
      {
        api: 'dev',
        basePath: '/dev',
        format: 'finenex',
        routes: [
          defineRoute({
            name: 'dev.outbox-page',
            method: 'GET',
            path: '/outbox',
            produces: 'text/html',
            summary: 'Development only: the SMS and emails the development senders kept, newest first (HTML).',
            raw: true,
            async handler({ services, ctx }) {
              ctx.set(kitPageHeaders());
              ctx.type = 'text/html; charset=utf-8';
              ctx.body = renderOutbox(await services.outboxStore.list(keep), keep);
            },
          }),
          defineRoute({
            name: 'dev.outbox',
            method: 'GET',
            path: '/outbox.json',
            summary: 'Development only: the SMS and emails the development senders kept, newest first.',
            response: Type.Object({ messages: Type.Array(OutboxEntry) }),
            async handler({ services, ctx }) {
              ctx.set('cache-control', 'no-store');
              return { messages: (await services.outboxStore.list(keep)).map(entryOf) };
            },
          }),
        ],
      },
    ],
  } satisfies KitPlugin;
}
