import { isUniqueViolation } from './retry.js';

/**
 * Runs an INSERT that a unique key may refuse and answers whether the row went in (false: the
 * key was taken). Stores answer their callers with this (or a union built on it), so no caller
 * has to recognise each engine's unique-violation error, and a custom store never has to throw one.
 */
export async function insertUnique(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return false;
  }
}

/** What {@link insertOrFind} did: inserted the row, or found the one that holds its key (null when that row went away since). */
export type InsertOrFound<T> = { inserted: true } | { inserted: false; existing: T | null };

/**
 * Inserts a row or, when its unique key is taken, reads the row that holds the key. The read may
 * find nothing when the holder was deleted between the two statements; the caller decides
 * whether that means "insert again" or "gone".
 */
export async function insertOrFind<T>(insert: () => Promise<unknown>, find: () => Promise<T | null | undefined>): Promise<InsertOrFound<T>> {
  if (await insertUnique(insert)) return { inserted: true };
  return { inserted: false, existing: (await find()) ?? null };
}
