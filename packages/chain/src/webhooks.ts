import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock, Logger } from '@w3kit/core';
import type { ResolvedChainOptions } from './chain-config.js';
import type { JobStore } from './job-store.js';

export const SIGNATURE_HEADER = 'x-w3kit-signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp is signed, so a receiver can refuse old replays. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** A receiver's check: the header's MAC over its timestamp and the body, within `toleranceSeconds` of `nowSeconds`. */
export function verifyWebhook(secret: string, body: string, header: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const t = Number(match[1]);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, body, t).slice(-64), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

const DELIVERY_TIMEOUT_MS = 5000;

/**
 * Delivers due status webhooks: a 2xx is delivered; anything else (status, timeout, refused
 * connection) is retried after 1 s, 2 s, 4 s … (at most 10 min), and abandoned after
 * `webhookMaxAttempts`; every outcome is recorded on the delivery's row.
 */
export async function deliverWebhooks({ jobStore, clock, options, logger }: { jobStore: JobStore; clock: Clock; options: ResolvedChainOptions; logger: Logger }): Promise<void> {
  if (options.webhookUrls.length === 0) return;
  const deliveries = await jobStore.claimDeliveries(clock.now().getTime(), options.leaseMs, options.batchSize);
  for (const delivery of deliveries) {
    let result: string;
    let ok = false;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(options.webhookSecret, delivery.body, Math.floor(clock.now().getTime() / 1000)),
          'x-w3kit-delivery': delivery.id,
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      ok = response.status >= 200 && response.status < 300;
      result = `HTTP ${response.status}`;
      await response.body?.cancel();
    } catch (error) {
      result = (error as Error).name === 'TimeoutError' ? 'timeout' : 'connection failed';
    }
    const attempts = delivery.attempts + 1;
    const at = clock.now().getTime();
    const state = ok ? 'delivered' : attempts >= options.webhookMaxAttempts ? 'abandoned' : 'pending';
    if (state === 'abandoned') logger.warn({ delivery: delivery.id, job: delivery.jobId, result }, 'chain: webhook abandoned');
    await jobStore.recordDelivery(delivery.id, { state, result, at, nextAttemptAt: at + Math.min(1000 * 2 ** (attempts - 1), 600_000) });
  }
}
