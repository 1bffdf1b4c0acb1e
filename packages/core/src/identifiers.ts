import { coreErrors } from './errors.js';

/** The outcome of `normalizeIdentifier`: the one stored and compared form, or why there is none. */
export type IdentifierCheck = { ok: true; identifier: string } | { ok: false; problem: string };

/** Longest identifier kept, in UTF-16 code units after normalization (the columns are varchar(191)). */
export const IDENTIFIER_MAX_LENGTH = 191;

const EDGE_WHITESPACE = /^[\p{White_Space}]|[\p{White_Space}]$/u;
// Control (Cc) and format (Cf: zero-width space, joiners, bidi marks, BOM) characters would make
// two identifiers that look the same to a person compare different.
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

/**
 * The one form of a login id or an email address that the kit stores, looks up and keys rate
 * limits by, so two spellings a person reads as one name are one identifier, and the database
 * compares it exactly (binary collation):
 *
 * 1. Unicode NFKC (full-width `ｃａｒｏｌ` and the ligature `ﬁ` become `carol` and `fi`);
 * 2. full case folding, locale-independent (`CAROL`, `Straße` → `carol`, `strasse`), done as
 *    upper- then lower-casing, then NFKC again because case mapping can denormalize;
 * 3. nothing else: accents and look-alikes stay distinct (`cárol`, `carøl` are other names).
 *
 * No trimming surprises: an identifier that begins or ends with whitespace (after NFKC, so an
 * ideographic space counts), or holds control or invisible format characters, is refused rather
 * than trimmed, so `"carol "` is never quietly `carol`. Empty and over-long identifiers are refused.
 * Wallet addresses are not identifiers of this kind: they have their own canonical form (EIP-55).
 */
export function normalizeIdentifier(input: string): IdentifierCheck {
  const compatible = input.normalize('NFKC');
  if (compatible === '') return { ok: false, problem: 'must not be empty.' };
  if (EDGE_WHITESPACE.test(compatible)) return { ok: false, problem: 'must not begin or end with whitespace.' };
  if (INVISIBLE.test(compatible)) return { ok: false, problem: 'must not contain control or invisible characters.' };
  const identifier = compatible.toUpperCase().toLowerCase().normalize('NFKC');
  if (identifier.length > IDENTIFIER_MAX_LENGTH) return { ok: false, problem: `must be at most ${IDENTIFIER_MAX_LENGTH} characters.` };
  return { ok: true, identifier };
}

/** `normalizeIdentifier`, or a 400 VALIDATION_FAILED naming `field` (in the route's wire format). */
export function requireIdentifier(input: string, field: string): string {
  const check = normalizeIdentifier(input);
  if (!check.ok) throw coreErrors.create('VALIDATION_FAILED', { message: `${field} ${check.problem}`, issues: [{ field, message: check.problem }] });
  return check.identifier;
}
