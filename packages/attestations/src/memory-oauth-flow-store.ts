import type { OAuthFlow, OAuthFlowStore } from './oauth-flow-store.js';

/**
 * OAuth flows in process memory, for tests and single-process tools. Not for a deployment with
 * several instances: there every step must find the flow, whichever instance serves it.
 */
export function createMemoryOAuthFlowStore(): OAuthFlowStore {
  const flows = new Map<string, OAuthFlow>();
  const live = (flow: OAuthFlow, at: number) => flow.consumedAt === null && flow.expiresAt > at;

  return {
    async insert(flow) {
      flows.set(flow.id, { ...flow, grantHash: null, returnedAt: null, consumedAt: null });
    },

    async recordReturn(provider, keyHash, grantHash, at) {
      for (const flow of flows.values()) {
        if (flow.provider === provider && flow.keyHash === keyHash && flow.returnedAt === null && live(flow, at)) {
          Object.assign(flow, { grantHash, returnedAt: at });
          return true;
        }
      }
      return false;
    },

    async claim(provider, locator, at) {
      let newest: OAuthFlow | undefined;
      for (const flow of flows.values()) {
        if (flow.provider !== provider || !live(flow, at)) continue;
        const matches = 'keyHash' in locator ? flow.keyHash === locator.keyHash && (flow.grantHash === null || flow.grantHash === locator.grantHash) : flow.grantHash === locator.grantHash;
        if (matches && (!newest || flow.createdAt > newest.createdAt)) newest = flow;
      }
      if (!newest) return null;
      newest.consumedAt = at;
      return { ...newest };
    },

    async purgeExpired(before) {
      let purged = 0;
      for (const [id, flow] of flows) {
        if (flow.expiresAt <= before) {
          flows.delete(id);
          purged++;
        }
      }
      return purged;
    },
  };
}
