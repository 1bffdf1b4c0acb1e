import { setGlobalConfig } from '@openid4vc/oauth2';
import { WalletError } from './wallet-error.js';

/**
 * How the wallet reaches the kit. The kit names itself by its public URL (the credential issuer
 * identifier, the verifier's did:web, every URL of an offer or a request). OID4VP needs that URL
 * to be https, and a development server listens on plain http with no TLS proxy in front; so the
 * wallet sends every URL on the kit's public origin to the address it was told (`--server`), as
 * `curl --connect-to` would. URLs elsewhere are fetched as they are.
 */
export interface KitConnection {
  /** The kit's public URL, from its credential issuer metadata. */
  publicUrl: string;
  /** fetch, with the kit's public origin sent to the server's address. */
  fetch: typeof fetch;
}

/** The HTTP answer the libraries got, when an error carries one: status and parsed body. */
export function answerOf(error: unknown): { status: number; body: Record<string, unknown> } | undefined {
  const e = error as { response?: { status?: unknown }; errorResponse?: unknown; textResponse?: unknown };
  if (typeof e?.response?.status !== 'number') return undefined;
  if (e.errorResponse && typeof e.errorResponse === 'object') return { status: e.response.status, body: e.errorResponse as Record<string, unknown> };
  try {
    return { status: e.response.status, body: JSON.parse(String(e.textResponse)) as Record<string, unknown> };
  } catch {
    return { status: e.response.status, body: {} };
  }
}

export async function connectKit(server: string): Promise<KitConnection> {
  const base = server.replace(/\/+$/, '');
  let metadata: Response;
  try {
    metadata = await fetch(`${base}/.well-known/openid-credential-issuer`, { headers: { accept: 'application/json' } });
  } catch (error) {
    // undici's cause is the socket error, or an AggregateError of one per address tried
    const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const code = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
    throw new WalletError(`cannot reach the server at ${base} (${code}); is it running? (--server <url>, or W3KIT_URL)`);
  }
  const issuer = metadata.ok ? ((await metadata.json()) as { credential_issuer?: unknown }).credential_issuer : undefined;
  if (typeof issuer !== 'string') throw new WalletError(`${base} has no credential issuer (it answered ${metadata.status} for its OID4VCI metadata; is OID4VCI=false?)`);
  const publicOrigin = new URL(issuer).origin;
  const serverOrigin = new URL(base).origin;
  // the libraries refuse http URLs unless told; a development kit on http is what this wallet is for
  setGlobalConfig({ allowInsecureUrls: publicOrigin.startsWith('http:') });
  const redirect = (url: string) => (publicOrigin !== serverOrigin && url.startsWith(`${publicOrigin}/`) ? `${serverOrigin}${url.slice(publicOrigin.length)}` : url);
  const kitFetch = ((input: string | URL | Request, init?: RequestInit) =>
    input instanceof Request ? fetch(new Request(redirect(input.url), input), init) : fetch(redirect(String(input)), init)) as typeof fetch;
  return { publicUrl: issuer, fetch: kitFetch };
}
