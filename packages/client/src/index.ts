import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };

/** A typed client of every route of the kit (openapi-fetch over the generated `paths`). */
export type W3kitClient = Client<paths>;

export interface W3kitClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** A bearer access token sent with every call (a call's own `headers.authorization` wins). */
  token?: string;
}

/** `baseUrl`: the kit's public URL with its mount path, e.g. `http://localhost:3000`. */
export function createW3kitClient(baseUrl: string, options: W3kitClientOptions = {}): W3kitClient {
  const { token, headers, ...rest } = options;
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    ...rest,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(headers as Record<string, string> | undefined) },
  });
}

/** A refused call: the HTTP status and the kit's error code and message, whatever the wire format. */
export class W3kitError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'W3kitError';
  }
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The code and message of an error body in any of the kit's wire formats. */
function describe(body: unknown): { code: string; message: string } {
  const b = (body ?? {}) as { error?: unknown; code?: unknown; message?: unknown; errors?: unknown };
  if (b.error && typeof b.error === 'object') {
    const e = b.error as { code?: unknown; message?: unknown };
    return { code: String(e.code ?? 'ERROR'), message: String(e.message ?? '') }; // Web3Connect envelope
  }
  if (typeof b.code === 'string') return { code: b.code, message: String(b.message ?? '') }; // Finenex
  if (Array.isArray(b.errors)) return { code: 'ERROR', message: b.errors.join('; ') }; // Origin
  return { code: typeof b.error === 'string' ? b.error : 'ERROR', message: '' };
}

/** The data of a successful call, or a thrown `W3kitError`. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const { code, message } = describe(error);
    throw new W3kitError(response.status, code, message, error);
  }
  return data as T;
}

/** The `result` of a Web3Connect envelope (`{status, result, error}`), or a thrown `W3kitError`. */
export async function result<T>(call: Promise<Answer<{ result: T }>>): Promise<T> {
  return (await ok(call)).result;
}

/** An organization's access token (JWT) from its API key secret: keep the secret on the server side. */
export function accessTokenFromApiKey(client: W3kitClient, apiKeySecret: string): Promise<string> {
  return result(client.POST('/rest/v1/auth/account/access_token/refresh', { body: { api_key_secret: apiKeySecret } }));
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

type MintBody = operations['nft.mint']['requestBody'] extends { content: { 'application/json': infer B } } | undefined ? B : never;
type Gps = { latitude: number; longitude: number };

export interface MintAndVerifyInput {
  /** The organization's access token (its domain verified). */
  minterToken: string;
  holderAddress: string;
  metadata: MintBody['metadata'];
  visibility?: MintBody['visibility'];
  /** The holder's token: it makes the QR code and polls the result. */
  holderToken: string;
  /** The scanner's token (any account but the holder): it scans the code. */
  scannerToken: string;
  /** Where the holder and the scanner stand (the geofence compares them). */
  holderGps: Gps;
  scannerGps: Gps;
  /** Polling of the result: every `pollMs` (500) for at most `timeoutMs` (10 000). */
  pollMs?: number;
  timeoutMs?: number;
}

/**
 * Mint, then the QR verification: the holder makes a code (step 1), the scanner verifies it
 * (step 2), and the holder polls the result until the code names the token.
 */
export async function mintAndVerify(client: W3kitClient, input: MintAndVerifyInput) {
  const nft = await result(
    client.POST('/rest/v1/nft/mint/to/{holder_id_wallet_address}', {
      params: { path: { holder_id_wallet_address: input.holderAddress } },
      body: { metadata: input.metadata, ...(input.visibility ? { visibility: input.visibility } : {}) },
      headers: bearer(input.minterToken),
    }),
  );
  const qr = await result(
    client.POST('/rest/v1/nft/{token_id}/verification/qr_code/step1', {
      params: { path: { token_id: nft.token_id } },
      body: { gps: input.holderGps },
      headers: bearer(input.holderToken),
    }),
  );
  const scan = await result(client.POST('/rest/v1/nft/verification/qr_code/step2', { params: { query: { c: qr.code } }, body: { gps: input.scannerGps }, headers: bearer(input.scannerToken) }));
  const deadline = Date.now() + (input.timeoutMs ?? 10_000);
  for (;;) {
    const verified = await result(client.GET('/rest/v1/nft/verification/qr_code/result', { params: { query: { c: qr.code } }, headers: bearer(input.holderToken) }));
    if (verified.token_id !== null || Date.now() > deadline) return { nft, qr, scan, verified };
    await new Promise((resolve) => setTimeout(resolve, input.pollMs ?? 500));
  }
}
