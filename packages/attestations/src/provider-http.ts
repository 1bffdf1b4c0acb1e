import { coreErrors } from '@w3kit/core';

/**
 * One outbound call to an OAuth provider. An unreachable provider, a timeout or a 5xx answer
 * is `SERVICE_UNAVAILABLE` (503: try again later); any other answer is returned for the
 * adapter to judge (a 4xx is the provider refusing this request).
 */
export async function callProvider(provider: string, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw coreErrors.create('SERVICE_UNAVAILABLE', { message: `${provider} could not be reached.`, cause: error });
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    throw coreErrors.create('SERVICE_UNAVAILABLE', { message: `${provider} is unavailable.` });
  }
  return response;
}

/** A provider base URL without its trailing slash; refuses anything but http(s) at startup. */
export function providerBaseUrl(label: string, url: string): string {
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) throw new TypeError(`attestations: ${label} must be an http(s) URL, got "${url}"`);
  return url.replace(/\/+$/, '');
}
