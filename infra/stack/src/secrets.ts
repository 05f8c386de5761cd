import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StackPaths } from './paths';

export interface StackSecrets {
  /** File holding the bearer token the agent presents to the gateway. */
  gatewayTokenFile: string;
  /** Self-signed certificate (and its key) the gateway serves OTLP with; the agent trusts exactly it. */
  gatewayCert: string;
  gatewayKey: string;
  /** The private Postgres cluster's superuser password (read by initdb and the stack). */
  postgresPasswordFile: string;
  /** The same password in libpq's password-file format: clients get it as PGPASSFILE. */
  pgpassFile: string;
  /** The salt services hash Kafka message keys with (TRACEHOP_KAFKA_KEY_SALT): one per deployment, so a key hashes alike in every service. */
  kafkaKeySaltFile: string;
}

/** Where the secrets live (nothing is created): for clients that only need a path, such as PGPASSFILE. */
export function secretFiles(paths: StackPaths): StackSecrets {
  const dir = join(paths.state, 'secrets');
  return {
    gatewayTokenFile: join(dir, 'gateway-token'),
    gatewayCert: join(dir, 'gateway-cert.pem'),
    gatewayKey: join(dir, 'gateway-key.pem'),
    postgresPasswordFile: join(dir, 'postgres-password'),
    pgpassFile: join(dir, 'pgpass'),
    kafkaKeySaltFile: join(dir, 'kafka-key-salt'),
  };
}

/** Replaces a file's content in one step (a reader never sees it half written); unchanged content is not touched. */
function writeIfChanged(file: string, content: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return;
  writeFileSync(`${file}.next`, content, { mode: 0o600 });
  renameSync(`${file}.next`, file);
}

/**
 * Secrets are made per machine on first use and kept in the state folder (mode 600), never in the
 * repository. gRPC sends per-call credentials such as a bearer token only over TLS, so the token
 * comes with a certificate valid for the gateway's names in both topologies (127.0.0.1 natively,
 * `gateway` in compose).
 */
export function loadSecrets(paths: StackPaths, postgresPort: number): StackSecrets {
  const secrets = secretFiles(paths);
  // The state folder itself stays traversable: Postgres' service user needs to reach its data.
  mkdirSync(paths.state, { recursive: true });
  mkdirSync(dirname(secrets.pgpassFile), { recursive: true, mode: 0o700 });
  if (!existsSync(secrets.gatewayTokenFile))
    writeFileSync(secrets.gatewayTokenFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  if (!existsSync(secrets.postgresPasswordFile))
    writeFileSync(secrets.postgresPasswordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  if (!existsSync(secrets.kafkaKeySaltFile))
    writeFileSync(secrets.kafkaKeySaltFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  // host:port:database:user:password; base64url needs no escaping. Follows the manifest's port.
  const password = readFileSync(secrets.postgresPasswordFile, 'utf8').trim();
  writeIfChanged(secrets.pgpassFile, ['127.0.0.1', 'localhost'].map((host) => `${host}:${postgresPort}:*:postgres:${password}\n`).join(''));
  if (!existsSync(secrets.gatewayCert) || !existsSync(secrets.gatewayKey)) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '825',
        '-subj',
        '/CN=tracehop-gateway',
        '-addext',
        'subjectAltName=DNS:gateway,DNS:localhost,IP:127.0.0.1',
        '-keyout',
        secrets.gatewayKey,
        '-out',
        secrets.gatewayCert,
      ],
      { stdio: 'ignore' },
    );
  }
  return secrets;
}
