import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { schemathesis } from '../support/schemathesis';
import { SERVICE_NAMES, startServices, type RunningServices, type ServiceName } from '../support/services';
import { anOrder, shopClient } from '../support/shop-client';

const run = promisify(execFile);

/** Every check the documents must pass: the responses (status, media type, schema) and the refusal of invalid input. */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
];

/**
 * Not fuzzed: the admin routes change the service under test (PATCH /admin/faults would make
 * payments fail or consumers stall for the specs after this one) or write poison records to Kafka
 * topics (POST /admin/faults/poison-message, dead-lettered by the services' consumers). Their
 * documents are still checked below.
 */
const NOT_FUZZED = '^/admin/';

type KnownIds = { user: string; order: string };

/**
 * Where schemathesis uses ids that exist (in half of the cases), so that its requests get past "no
 * such user" and "no such order" into the routes' core: orders really placed, users and orders
 * really read. Bound as schemathesis dictionaries in its config file (schemathesis.toml).
 */
const KNOWN_IDS: Record<ServiceName, Record<string, keyof KnownIds>> = {
  'user-service': { 'path.id': 'user' },
  'order-service': { 'path.id': 'order', 'body.userId': 'user' },
  'payment-service': { 'query.orderId': 'order' },
};

function configFile(name: ServiceName, ids: KnownIds): string {
  const lines = [
    ...Object.entries(ids).flatMap(([dictionary, id]) => [`[dictionaries.${dictionary}]`, `values = ["${id}"]`]),
    '[parameters]',
  ];
  for (const [parameter, dictionary] of Object.entries(KNOWN_IDS[name]))
    lines.push(`"${parameter}" = { dictionary = "${dictionary}", probability = 0.5 }`);
  return `${lines.join('\n')}\n`;
}

interface OpenApiOperation {
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type OpenApiDocument = { paths: Record<string, Record<string, OpenApiOperation>> };

/** What the NDJSON report holds for each scenario: per case, the checks run on its response. */
interface ScenarioFinished {
  recorder: { label: string; checks: Record<string, { name: string; status: string }[]> | null };
}

/** Per operation ("POST /orders"): the cases schemathesis sent, and every check outcome (name: status). */
async function reportedOutcomes(ndjson: string): Promise<Map<string, { cases: number; checks: Set<string> }>> {
  const outcomes = new Map<string, { cases: number; checks: Set<string> }>();
  for (const line of (await readFile(ndjson, 'utf8')).split('\n').filter(Boolean)) {
    const event = JSON.parse(line) as { ScenarioFinished?: ScenarioFinished };
    if (!event.ScenarioFinished) continue;
    const { label, checks } = event.ScenarioFinished.recorder;
    const operation = outcomes.get(label) ?? { cases: 0, checks: new Set<string>() };
    for (const results of Object.values(checks ?? {})) {
      operation.cases += 1;
      for (const { name, status } of results) operation.checks.add(`${name}: ${status}`);
    }
    outcomes.set(label, operation);
  }
  return outcomes;
}

/** A body, or a path or query parameter: what schemathesis can vary (and a 400 can refuse). */
const takesInput = (operation: OpenApiOperation): boolean =>
  operation.requestBody !== undefined || (operation.parameters ?? []).some((parameter) => parameter.in !== 'header');

async function documentOf(url: string): Promise<OpenApiDocument> {
  return (await (await fetch(`${url}/docs-json`)).json()) as OpenApiDocument;
}

function operationsOf(document: OpenApiDocument): { route: string; path: string; operation: OpenApiOperation }[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, path, operation })),
  );
}

/** The documents against the services themselves, by schemathesis: what they say is what the services do. */
describe('OpenAPI documents tell the truth (schemathesis)', () => {
  let running: RunningServices;
  let st: string;
  let reports: string;
  let ids: KnownIds;

  beforeAll(async () => {
    st = await schemathesis(); // about 20 s on first use (pip), then instant
    reports = await mkdtemp(join(tmpdir(), 'schemathesis-'));
    running = await startServices();
    const shop = shopClient(running);
    const user = (await shop.registerUser()).body.id;
    ids = { user, order: (await shop.placeOrder(anOrder(user))).body.id };
  }, 600_000);

  afterAll(async () => {
    await running?.stop();
    if (reports) await rm(reports, { recursive: true, force: true });
  });

  it.each(SERVICE_NAMES)('%s documents every error as problem+json, and a 400 wherever a route takes input', async (name: ServiceName) => {
    const operations = operationsOf(await documentOf(running.url[name]));
    expect(operations.length).toBeGreaterThan(2);
    for (const { route, operation } of operations) {
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      for (const [status, response] of errors)
        expect([route, status, Object.keys(response.content ?? {})]).toEqual([route, status, ['application/problem+json']]);
      if (takesInput(operation)) expect([route, Object.keys(operation.responses)]).toEqual([route, expect.arrayContaining(['400'])]);
    }
  });

  it.each(SERVICE_NAMES)(
    '%s answers as its document says, for valid and invalid input',
    async (name: ServiceName) => {
      const report = join(reports, `${name}.ndjson`);
      const config = join(reports, `${name}.toml`);
      await writeFile(config, configFile(name, ids));
      const args = [
        '--config-file',
        config,
        'run',
        `${running.url[name]}/docs-json`,
        '--checks',
        CHECKS.join(','),
        '--exclude-path-regex',
        NOT_FUZZED,
        '--phases',
        'examples,coverage,fuzzing',
        // Bounded and reproducible: a fixed seed, at most this many generated cases per operation.
        '--max-examples',
        '60',
        '--seed',
        '20240601',
        '--generation-database',
        'none',
        '--workers',
        '2',
        '--request-timeout',
        '10',
        '--report',
        'ndjson',
        '--report-ndjson-path',
        report,
        '--no-color',
      ];
      const { code, output } = await run(st, args, { cwd: reports, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }).then(
        ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code ?? 1,
          output: (error.stdout ?? '') + (error.stderr ?? ''),
        }),
      );
      // schemathesis' own report is the failure message: which check, which request, how to reproduce it.
      if (code !== 0) throw new Error(`schemathesis found problems in ${name} (exit ${code}):\n${output}`);
      // And it really tested: every operation not excluded, with cases, each check run and passed.
      const fuzzed = operationsOf(await documentOf(running.url[name])).filter(({ path }) => !new RegExp(NOT_FUZZED).test(path));
      const outcomes = await reportedOutcomes(report);
      expect([...outcomes.keys()].sort()).toEqual(fuzzed.map(({ route }) => route).sort());
      const ran = new Set<string>();
      for (const { route, operation } of fuzzed) {
        const { cases, checks } = outcomes.get(route)!;
        const notPassed = [...checks].filter((outcome) => !outcome.endsWith(': success'));
        // An operation without input is one request; one with input many, valid and invalid.
        const enoughCases = cases >= (takesInput(operation) ? 20 : 1);
        expect({ route, enoughCases, notPassed }).toEqual({ route, enoughCases: true, notPassed: [] });
        for (const outcome of checks) ran.add(outcome.split(':')[0]);
      }
      expect([...ran].sort()).toEqual([...CHECKS].sort());
    },
    600_000,
  );
});
