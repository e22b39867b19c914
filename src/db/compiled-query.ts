import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Stands for a parameter while the query is compiled; never sent to the database. */
const placeholder = (name: string) => `\u0000placeholder:${name}`;

/**
 * A query of a hot path built and compiled by Kysely once, then run with new parameter values:
 * building and compiling a query with subqueries costs more CPU than the database spends
 * answering it by primary key. `build` receives placeholders for the named parameters and must
 * use each as a plain value (never inside an expression Kysely would transform). The compiled
 * text is the same for a connection and a transaction, so either may run it.
 */
export function compileOnce<Row, Name extends string>(
  names: readonly Name[],
  build: (db: Kysely<Database>, params: Record<Name, string>) => Compilable<Row>,
): (db: Kysely<Database>, values: Record<Name, unknown>) => Promise<Row[]> {
  let compiled: CompiledQuery<Row> | undefined;
  let slots: { index: number; name: Name }[] = [];
  return async (db, values) => {
    if (!compiled) {
      const params = Object.fromEntries(names.map((n) => [n, placeholder(n)])) as Record<Name, string>;
      const query = build(db, params).compile();
      const found = query.parameters.flatMap((value, index) => {
        const name = names.find((n) => value === placeholder(n));
        return name === undefined ? [] : [{ index, name }];
      });
      const missing = names.filter((n) => !found.some((s) => s.name === n));
      if (missing.length) throw new Error(`compileOnce: parameter ${missing.join(', ')} not found in the compiled query`);
      compiled = query;
      slots = found;
    }
    const parameters = [...compiled.parameters];
    for (const { index, name } of slots) parameters[index] = values[name];
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
}
