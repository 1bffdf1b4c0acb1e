import { randomUUID } from 'node:crypto';
import type { DatabaseHandle, Kysely, MigrationSet } from '@w3kit/core';

/** One message a development sender "sent": what a person would have received. */
export interface OutboxMessage {
  id: string;
  channel: 'sms' | 'email';
  to: string;
  /** Emails only. */
  subject: string | null;
  text: string;
  sentAt: Date;
}

/** The development outbox, in the database so that every instance of a deployment sees every message. */
export interface OutboxStore {
  /** Stores the message, then drops the oldest beyond `keep`. */
  add(message: Omit<OutboxMessage, 'id' | 'sentAt'>, sentAt: Date): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<OutboxMessage[]>;
}

export type DevOutboxTables = {
  dev_outbox: {
    id: string;
    channel: string;
    recipient: string;
    subject: string | null;
    text: string;
    sent_at: number;
  };
};

export const devOutboxMigrations: MigrationSet = {
  '0001_dev_outbox': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dev_outbox')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('channel', 'varchar(8)', (c) => c.notNull())
        .addColumn('recipient', 'varchar(320)', (c) => c.notNull())
        .addColumn('subject', 'varchar(998)')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dev_outbox_sent_at').on('dev_outbox').column('sent_at').execute();
    },
  },
};

export function createKyselyOutboxStore(database: DatabaseHandle, keep: number): OutboxStore {
  const db = database.db.withTables<DevOutboxTables>();
  return {
    async add(message, sentAt) {
      await db
        .insertInto('dev_outbox')
        .values({ id: randomUUID(), channel: message.channel, recipient: message.to, subject: message.subject, text: message.text, sent_at: sentAt.getTime() })
        .execute();
      // The (keep+1)-th newest message's time: everything at or before it goes. Two steps, since
      // MySQL refuses LIMIT inside an IN subquery; a message of the cut's millisecond goes with it.
      const cut = await db.selectFrom('dev_outbox').select('sent_at').orderBy('sent_at', 'desc').limit(1).offset(keep).executeTakeFirst();
      if (cut) await db.deleteFrom('dev_outbox').where('sent_at', '<=', Number(cut.sent_at)).execute();
    },
    async list(limit) {
      const rows = await db.selectFrom('dev_outbox').selectAll().orderBy('sent_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({
        id: r.id,
        channel: r.channel === 'sms' ? 'sms' : 'email',
        to: r.recipient,
        subject: r.subject,
        text: r.text,
        sentAt: new Date(Number(r.sent_at)),
      }));
    },
  };
}
