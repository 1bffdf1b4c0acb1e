// What the mixed-workload servers run, shared by the server script (bench/servers/mixed-kit.ts)
// and by the seeding kit, so both agree on plugins, hash cost and rate limits.
import { attestations } from '@w3kit/attestations';
import { auth } from '@w3kit/auth';
import type { KitConfigInput, KitPlugin, RateLimitRule } from '@w3kit/core';
import { did } from '@w3kit/did';
import { nft } from '@w3kit/nft';

/**
 * scrypt cost (log2 N) of passwords: 15, the lowest that production mode accepts
 * (docs/core.md, `passwordHashCost`); the kit's default is 17. About 75 ms of CPU per hash here.
 */
export const DEFAULT_HASH_COST = 15;

/** Credentials the Twilio sender and the stand-in share (the stand-in checks them as Twilio does). */
export const BENCH_TWILIO = { accountSid: 'ACbench0000000000000000000000000000', authToken: 'bench-twilio-token', from: '+15005550006' };

/** The standalone server's composition: every plugin, production options (no login demo page). */
export function mixedPlugins(signerKey: string): KitPlugin[] {
  return [auth(), did({ loginDemoPage: false }), nft(), attestations({ signerKey, openerOrigin: 'https://dapp.example' })];
}

// One load generator on one IP plays every user, and a few hundred seeded users log in again and
// again: the per-IP and per-login budgets meant for abuse would refuse a normal load here. The
// limiter still runs on every request (its counter UPDATEs are part of the measured cost); only
// the limits are out of reach.
const UNREACHABLE: RateLimitRule = { limit: 1_000_000_000, windowSeconds: 600 };
const RAISED_LIMITS = Object.fromEntries(['auth.login', 'auth.login.ip', 'attestations.send.client', 'attestations.send.target', 'nft.qr.scan'].map((name) => [name, UNREACHABLE]));

/** Kit configuration of every mixed-workload instance (and of the seeding kit). */
export function mixedKitConfig(hashCost: number): Omit<Partial<KitConfigInput>, 'masterKey'> {
  // The hashing queue shares a process's hashes fairly between client IPs (one IP runs at most
  // concurrency − 1 at once) and lets 4 × concurrency wait: with every user on the generator's one
  // IP, a burst of logins is shed (503) long before the machine is busy. As with the limits, 64
  // waiting places (more than the connections) keep the queue's work and take away only that refusal.
  return { passwordHashCost: hashCost, rateLimits: RAISED_LIMITS, passwordHashQueueLimit: 64 };
}
