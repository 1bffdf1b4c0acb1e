import { randomBytes } from 'node:crypto';
import type { Compilable, CompiledQuery } from 'kysely';

/** Stands for a value in a query built once; `compileOnce` binds the real value in its place on each run. */
export type Slot<Names extends string> = <T>(name: Names) => T;

/**
 * A query Kysely builds and compiles once and the kit runs many times with other values. Kysely
 * builds the operation tree and compiles it to SQL on every call, which on a hot path (a one-time
 * code's try) costs more CPU than SQLite takes to run the statement. `build` gets `slot(name)`
 * placeholders for the values that change: unique strings, found in the compiled parameters, so
 * each run only copies the parameter list with the values in their places. The SQL text is the
 * dialect's own, exactly what building the query with the values would give; only values that
 * Kysely binds as parameters can be slots (a slot that ends up spliced into the SQL is refused
 * when the query is compiled). The query is compiled on its first run.
 */
export function compileOnce<Names extends string, R>(build: (slot: Slot<Names>) => Compilable<R>): (values: Readonly<Record<Names, unknown>>) => CompiledQuery<R> {
  let compiled: { query: CompiledQuery<R>; places: [index: number, name: Names][] } | undefined;
  const prepare = () => {
    const marker = `\u0000w3kit-slot:${randomBytes(8).toString('hex')}:`;
    const names = new Set<Names>();
    const query = build(<T>(name: Names) => {
      names.add(name);
      return `${marker}${name}` as T;
    }).compile();
    const places: [number, Names][] = [];
    query.parameters.forEach((parameter, index) => {
      if (typeof parameter === 'string' && parameter.startsWith(marker)) places.push([index, parameter.slice(marker.length) as Names]);
    });
    const missing = [...names].filter((name) => !places.some(([, placed]) => placed === name));
    if (missing.length > 0 || query.sql.includes(marker)) throw new TypeError(`compileOnce: slot(s) ${missing.join(', ')} are not bound parameters of the compiled query`);
    return { query, places };
  };
  return (values) => {
    compiled ??= prepare();
    const parameters = compiled.query.parameters.slice();
    for (const [index, name] of compiled.places) parameters[index] = values[name];
    // the compiled query's id stays: a plugin saw the query (transformQuery) under it, once, and
    // finds what it noted there when each run's result comes back (transformResult)
    return { ...compiled.query, parameters };
  };
}
