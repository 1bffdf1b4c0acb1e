import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { createProxyMatcher } from '../http/client-ip.js';

const RateLimitRuleSchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1 }),
    windowSeconds: Type.Integer({ minimum: 1 }),
    strategy: Type.Optional(Type.Union([Type.Literal('fixed'), Type.Literal('sliding')])),
  },
  { additionalProperties: false },
);

/** The kit's configuration. Every field but `masterKey` has a default. */
export const KitConfigSchema = Type.Object(
  {
    /** `development` (default), `test` or `production`. Production refuses development defaults. */
    mode: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], { default: 'development' }),
    /** Base URL the kit is reachable at, used in links, token URIs and the button JS. Default `http://127.0.0.1:3000`. */
    publicUrl: Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', default: 'http://127.0.0.1:3000' }),
    /** AES-256-GCM master key, 32 bytes as 64 hex characters. Required. */
    masterKey: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
    /** Earlier master keys that still decrypt during a rotation. Default none. */
    previousMasterKeys: Type.Array(Type.String({ pattern: '^[0-9a-fA-F]{64}$' }), { default: [] }),
    /** Prefix the host mounts the kit under (`/identity`). Default `` (root). */
    mountPath: Type.String({ pattern: '^(/[^\\s/]+)*$', default: '' }),
    /** Base path per API group (`web3connect`, `finenex`, `origin`, …); default: each group's own. */
    basePaths: Type.Record(Type.String(), Type.String({ pattern: '^(/[^\\s/]+)*$' }), { default: {} }),
    /** Largest accepted JSON body in bytes. Default 100000. */
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 50_000_000, default: 100_000 }),
    /** At startup: `run` pending migrations (default), `check` that none is pending, or `skip`. */
    migrations: Type.Union([Type.Literal('run'), Type.Literal('check'), Type.Literal('skip')], { default: 'run' }),
    /** Overrides of plugins' rate-limit rules, by rule name. Default none. */
    rateLimits: Type.Record(Type.String(), RateLimitRuleSchema, { default: {} }),
    /** scrypt cost (log2 N) for passwords. Default 17 (OWASP); tests may lower it. */
    passwordHashCost: Type.Integer({ minimum: 10, maximum: 20, default: 17 }),
    /** Seconds between sweeps of expired codes and counters; 0 disables. Default 300. */
    housekeepingIntervalSeconds: Type.Integer({ minimum: 0, default: 300 }),
    /** Serve `/openapi.json` and `/docs`. Default true. */
    serveDocs: Type.Boolean({ default: true }),
    /**
     * Proxies whose `X-Forwarded-For` the kit believes, as IPs and CIDRs (`10.0.0.0/8`,
     * `127.0.0.1`, `fd00::/8`). Default none: the client IP is the socket's peer. Independent
     * of the host's `app.proxy`.
     */
    trustedProxies: Type.Array(Type.String(), { default: [] }),
    /** `Strict-Transport-Security` max-age sent in production when `publicUrl` is https; 0 sends none. Default 31536000 (a year). */
    hstsMaxAgeSeconds: Type.Integer({ minimum: 0, default: 31_536_000 }),
  },
  { additionalProperties: false },
);

export type KitConfig = Static<typeof KitConfigSchema>;

/** What a host passes: `masterKey` and any field it wants to change. */
export type KitConfigInput = Partial<KitConfig> & Pick<KitConfig, 'masterKey'>;

/** A configuration the kit cannot start with; the message lists every problem. */
export class KitConfigError extends Error {
  override readonly name = 'KitConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid w3kit configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function resolveKitConfig(input: KitConfigInput): KitConfig {
  if (input === null || typeof input !== 'object') throw new KitConfigError(['config: must be an object']);
  const value = Value.Default(KitConfigSchema, structuredClone(input));
  const problems = [...Value.Errors(KitConfigSchema, value)].map((e) => {
    const field = e.path.slice(1).replace(/\//g, '.') || '(root)';
    return field === 'masterKey' && (input as Partial<KitConfig>).masterKey === undefined
      ? 'config.masterKey: is required (32 bytes as 64 hex characters; e.g. `openssl rand -hex 32`)'
      : `config.${field}: ${e.message}`;
  });
  if (problems.length === 0) {
    try {
      createProxyMatcher((value as KitConfig).trustedProxies);
    } catch (error) {
      problems.push(`config.${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new KitConfigError([...new Set(problems)]);
  const config = value as KitConfig;
  return { ...config, publicUrl: config.publicUrl.replace(/\/+$/, '') };
}
