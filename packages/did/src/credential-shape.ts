import { coreErrors } from '@w3kit/core';
import type { DataModel } from './did-config.js';

type Json = Record<string, unknown>;

/** A 400 naming the field, in the same shape as a schema validation failure. */
export const invalidField = (field: string, message: string) => coreErrors.create('VALIDATION_FAILED', { issues: [{ field, message }] });

// An absolute URL or URN (the data model's "URL"): a scheme, a colon, no whitespace.
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\S+$/i;
const isUrl = (value: unknown): value is string => typeof value === 'string' && value.length <= 2048 && URL_LIKE.test(value);
const isObject = (value: unknown): value is Json => !!value && typeof value === 'object' && !Array.isArray(value);

/** `type`: a string or a non-empty array of strings. */
const hasType = (value: Json) => typeof value['type'] === 'string' || (Array.isArray(value['type']) && value['type'].length > 0 && value['type'].every((t) => typeof t === 'string'));

/** The objects of a property that holds one object or a non-empty array of them; a 400 otherwise. */
function objectsOf(credential: Json, field: string): Json[] {
  const value = credential[field];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every(isObject)) throw invalidField(`credential.${field}`, 'must be an object or a non-empty array of objects.');
  return list;
}

// VC 2.0 §4.5 ("…objects MUST have a type specified"), §4.10–4.12, §5.4–5.6; VC 1.1 asks the same of these.
const TYPED = ['credentialStatus', 'credentialSchema', 'refreshService', 'termsOfUse', 'evidence'] as const;

/**
 * The issuer a credential to issue names: a URL, or an object whose `id` is one; undefined when
 * it names none (the organization's own DID for the format then signs). `null`, `true`, a
 * number, `[]` or `{}` are no issuer and no request for the default either: a 400.
 */
export function issuerOf(credential: Json): string | undefined {
  if (!Object.hasOwn(credential, 'issuer')) return undefined;
  const issuer = credential['issuer'];
  if (isUrl(issuer)) return issuer;
  if (isObject(issuer) && isUrl(issuer['id'])) return issuer['id'];
  throw invalidField('credential.issuer', 'must be one of your issuer DIDs (GET /v2/did/my-issuers), or an object whose id is one.');
}

/**
 * What the VC Data Model asks of a credential beyond the route's schema, checked before signing
 * (a signature would make a malformed credential look authoritative): typed objects
 * (`credentialStatus`, `credentialSchema`, `refreshService`, `termsOfUse`, `evidence`) have a
 * `type`; a status entry's or schema's `id` is one URL (a schema must have one; VC 1.1 asks it
 * of a status entry too); `relatedResource` entries have a unique URL `id` and a well-formed
 * `digestSRI` or `digestMultibase`. A 400 naming the field otherwise.
 */
export function checkCredentialShape(credential: Json, model: DataModel): void {
  for (const field of TYPED) {
    for (const [i, entry] of objectsOf(credential, field).entries()) {
      if (!hasType(entry)) throw invalidField(`credential.${field}`, `${i > 0 ? `entry ${i} ` : ''}must have a type (a string or an array of strings).`);
      const idRequired = field === 'credentialSchema' || (field === 'credentialStatus' && model === '1.1');
      if ((entry['id'] !== undefined || idRequired) && !isUrl(entry['id'])) throw invalidField(`credential.${field}`, `${i > 0 ? `entry ${i} ` : ''}must have an id that is one URL.`);
    }
  }
  const seen = new Set<string>();
  for (const [i, resource] of objectsOf(credential, 'relatedResource').entries()) {
    const at = `credential.relatedResource${Array.isArray(credential['relatedResource']) ? `[${i}]` : ''}`;
    if (!isUrl(resource['id'])) throw invalidField(`${at}.id`, 'is required and must be a URL.');
    if (seen.has(resource['id'])) throw invalidField(`${at}.id`, 'must be unique among the related resources.');
    seen.add(resource['id']);
    const { digestSRI: sri, digestMultibase: multibase } = resource;
    if (sri === undefined && multibase === undefined) throw invalidField(at, 'must have a digestSRI or a digestMultibase.');
    if (sri !== undefined && (typeof sri !== 'string' || !/^sha(256|384|512)-[A-Za-z0-9+/_-]+={0,2}$/.test(sri)))
      throw invalidField(`${at}.digestSRI`, 'must be a Subresource Integrity value, like sha384-<base64>.');
    if (multibase !== undefined && (typeof multibase !== 'string' || !/^(u[A-Za-z0-9_-]+|z[1-9A-HJ-NP-Za-km-z]+)$/.test(multibase)))
      throw invalidField(`${at}.digestMultibase`, 'must be a multibase value (base64url u… or base58btc z…).');
  }
}
