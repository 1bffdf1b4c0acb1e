// The mixed workload's deployment: seeds organizations and users into an empty MariaDB database,
// starts a Twilio stand-in (the kit's real SMS sender posts to it, and the load generator reads
// the codes from it) and N kit server processes on that one database.
import { randomBytes } from 'node:crypto';
import { createKit, createLogger } from '@w3kit/core';
import { startTwilioStandIn } from '@w3kit/core/testing';
import { onHosts } from '../../scripts/galera.mjs';
import { startServer } from './harness.js';
import { BENCH_TWILIO, mixedKitConfig, mixedPlugins } from './mixed-composition.js';
import type { Actors, EndUser, Organization, SmsInbox } from './mixed-workload.js';

export interface MixedClusterOptions {
  /** An empty MariaDB database (`mysql://…/<database>`); the cluster creates the schema. */
  databaseUrl: string;
  instances: number;
  organizations: number;
  users: number;
  /** scrypt cost of passwords, the same for seeding and serving (no rehash on first login). */
  hashCost: number;
  /**
   * A Galera cluster's `host:port` list: instance i then opens the database on the whole list
   * starting at node i (one instance per node, each failing over to the others).
   */
  galeraHosts?: readonly string[];
  /** Database pool of each instance. */
  connectionLimit: number;
  log?: (line: string) => void;
}

export interface MixedCluster {
  /** Base URLs of the instances, in start order. */
  urls: string[];
  /** Their process ids, in the same order. */
  pids: (number | undefined)[];
  actors: Actors;
  sms: SmsInbox;
  /** Every SMS the stand-in accepted. */
  smsCount(): number;
  stop(): Promise<void>;
}

const PASSWORD = 'mixed-bench-password';

async function seed(databaseUrl: string, masterKey: string, signerKey: string, options: MixedClusterOptions): Promise<Actors> {
  const kit = await createKit({
    database: databaseUrl,
    plugins: mixedPlugins(signerKey),
    logger: createLogger({ level: 'silent' }),
    config: { masterKey, mode: 'test', housekeepingIntervalSeconds: 0, ...mixedKitConfig(options.hashCost) },
  });
  try {
    const s = kit.services;
    const organizations: Organization[] = [];
    for (let i = 0; i < options.organizations; i++) {
      const { account } = await s.accountService.createOrganization({ name: `Mixed Org ${i}`, domain: `org-${i}.mixed-bench.test`, email: `ops@org-${i}.mixed-bench.test` });
      // minting needs a verified domain; the DNS check itself is not part of this workload
      await s.accountStore.update(account.id, { domainVerified: true }, new Date());
      organizations.push({ id: account.id, address: account.wallet!.address, token: (await s.tokenService.issueAccessToken(account)).token });
    }
    const users: EndUser[] = [];
    // four at a time: scrypt runs on libuv's four threads
    for (let start = 0; start < options.users; start += 4) {
      const batch = Array.from({ length: Math.min(4, options.users - start) }, async (_, j) => {
        const loginId = `mixed-user-${start + j}`;
        const account = await s.accountService.createEndUser({ loginId, email: `${loginId}@mixed-bench.test`, password: PASSWORD, name: `Mixed User ${start + j}` });
        return { id: account.id, loginId, password: PASSWORD, address: account.wallet!.address, token: (await s.tokenService.issueAccessToken(account)).token, tokens: [] };
      });
      users.push(...(await Promise.all(batch)));
    }
    return { organizations, users };
  } finally {
    await kit.close();
  }
}

export async function startMixedCluster(options: MixedClusterOptions): Promise<MixedCluster> {
  const log = options.log ?? (() => {});
  const masterKey = randomBytes(32).toString('hex');
  const signerKey = `0x${randomBytes(32).toString('hex')}`;
  const seedStarted = Date.now();
  const actors = await seed(options.databaseUrl, masterKey, signerKey, options);
  log(`seeded ${actors.organizations.length} organizations and ${actors.users.length} users (scrypt cost ${options.hashCost}) in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

  const codes = new Map<string, string>();
  const twilio = await startTwilioStandIn({
    ...BENCH_TWILIO,
    respond(form) {
      const code = /\b(\d{6})\b/.exec(form.get('Body') ?? '')?.[1];
      if (code) codes.set(form.get('To')!, code);
      return { status: 201, body: { sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued' } };
    },
  });
  const separator = options.databaseUrl.includes('?') ? '&' : '?';
  const env = {
    DATABASE_URL: `${options.databaseUrl}${separator}connectionLimit=${options.connectionLimit}`,
    W3KIT_MASTER_KEY: masterKey,
    ATTESTATION_SIGNER_KEY: signerKey,
    TWILIO_BASE_URL: twilio.url,
    W3KIT_PASSWORD_HASH_COST: String(options.hashCost),
  };
  const onNode = (i: number) => (options.galeraHosts ? { ...env, DATABASE_URL: onHosts(env.DATABASE_URL, options.galeraHosts, i % options.galeraHosts.length) } : env);
  const started = await Promise.allSettled(Array.from({ length: options.instances }, (_, i) => startServer({ script: 'mixed-kit.ts', env: onNode(i) })));
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    await twilio.close();
    throw failed.reason;
  }
  log(`instances: ${servers.map((s) => s.url).join(', ')}`);
  return {
    urls: servers.map((s) => s.url),
    pids: servers.map((s) => s.child.pid),
    actors,
    // a code is read once: the verify that follows is its only use
    sms: (phone) => {
      const code = codes.get(phone);
      codes.delete(phone);
      return code;
    },
    smsCount: () => twilio.received.length,
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await twilio.close();
    },
  };
}
