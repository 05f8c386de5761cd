import type { ClientConfig } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import pgpass from 'pgpass';

/**
 * pg's settings for a postgres:// URL. A URL without a password gets it the way libpq clients do:
 * from the file PGPASSFILE names, else ~/.pgpass (the stack's Postgres asks for a password kept in
 * such a file). pg 8 looks there itself but deprecates it and asks for a password function instead;
 * this is that function. No entry: the connection fails naming the file, instead of pg's SASL
 * complaint about an empty password. A server that trusts the connection never asks.
 */
export function connectionConfig(url: string): ClientConfig {
  const config = parseIntoClientConfig(url);
  if (config.password) return config;
  const entry = { host: config.host ?? '', port: config.port ?? 5432, database: config.database ?? '', user: config.user ?? '' };
  const password = () =>
    new Promise<string>((resolve, reject) =>
      pgpass(entry, (found) =>
        found
          ? resolve(found)
          : reject(
              new Error(
                `no password for ${entry.user}@${entry.host}:${entry.port} in ${process.env.PGPASSFILE ?? '~/.pgpass'} (set PGPASSFILE, or put the password in the URL)`,
              ),
            ),
      ),
    );
  return { ...config, password };
}
