import pg from 'pg';
import type { Db, Queryable, QueryResult } from './types.js';

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
      const r = await client.query(sql, params);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

/** PostgreSQL through a node-postgres pool; every connection uses the configured schema first, then public. */
export async function openPostgres(url: string, schema: string, max: number): Promise<Db> {
  const bootstrap = new pg.Client({ connectionString: url });
  await bootstrap.connect();
  try {
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await bootstrap.end();
  }
  const pool = new pg.Pool({ connectionString: url, max, options: `-c search_path=${schema},public` });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      // While checked out, the pool no longer listens for the connection's errors; a database restart between two
      // statements of the transaction would otherwise be an unhandled 'error' event and end the process. The
      // statement in flight fails on its own; the broken connection is then discarded instead of returned.
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        broken ??= err instanceof Error && 'code' in err && String(err.code).startsWith('57P') ? err : undefined;
        throw err;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    },
    ping: async () => {
      try {
        return (await pool.query('select 1')).rowCount === 1;
      } catch {
        return false;
      }
    },
    close: () => pool.end(),
  };
}
