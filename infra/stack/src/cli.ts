import './quiet-timer-warning';
import { Command, InvalidArgumentError } from 'commander';
import { components } from './components/index';
import { writeComposeEnv } from './compose-env';
import { createContext } from './context';
import { createLocalCluster, deleteLocalCluster, localClusterName } from './kubernetes/cluster';
import { installKubernetesTools } from './kubernetes/install-tools';
import { kubernetesBinary } from './kubernetes/tools';
import { loadManifest } from './manifest';
import { down, logs, reset, status, up } from './stack';

function positiveWholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive whole number');
  return n;
}

const program = new Command('stack')
  .description(
    'The tracehop stack as local processes: Kafka, Postgres, OpenSearch, OTel Collector agent and gateway, Jaeger, VictoriaLogs, Prometheus',
  )
  .showHelpAfterError();

program
  .command('up')
  .description('install what is missing, start everything in dependency order and wait until healthy')
  .argument('[components...]', `only these (and what they depend on): ${components.map((c) => c.name).join(', ')}`)
  .action((only: string[]) => up(only));

program
  .command('down')
  .description('stop every process the stack started, or only the named components (data is kept)')
  .argument('[components...]', components.map((c) => c.name).join(', '))
  .action((only: string[]) => down(only));

program
  .command('status')
  .description('show each component, its state and endpoints; exits 1 unless all are healthy')
  .option('--json', 'machine-readable output')
  .action(async (options: { json?: boolean }) => {
    if (!(await status(options.json ?? false))) process.exitCode = 1;
  });

program
  .command('logs')
  .description("print the end of a component's log")
  .argument('<component>', components.map((c) => c.name).join(', '))
  .option('-n, --lines <count>', 'how many lines', positiveWholeNumber, 100)
  .action((name: string, options: { lines: number }) => logs(name, options.lines));

program
  .command('compose-env')
  .description('write infra/compose/.env (ports and versions for compose) from infra/native/manifest.json')
  .action(() => writeComposeEnv(loadManifest()));

const kubernetes = program
  .command('kubernetes')
  .description('what validates the Helm chart (infra/helm/tracehop): tools, and a local API server with fake nodes');

kubernetes
  .command('tools')
  .description(
    'build helm, kubeconform, etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok, fetch the JSON schemas (cached)',
  )
  .action(() => installKubernetesTools());

kubernetes
  .command('up')
  .description('start a local API server with fake nodes (kwok) to try the chart on; prints its kubeconfig')
  .option('--nodes <count>', 'how many fake nodes', positiveWholeNumber, 3)
  .action(async (options: { nodes: number }) => {
    await installKubernetesTools();
    const ctx = createContext();
    const cluster = await createLocalCluster(ctx, localClusterName, options.nodes);
    console.log(
      `cluster ${cluster.name} is up with ${options.nodes} fake nodes\n  export KUBECONFIG=${cluster.kubeconfig}\n  kubectl: ${kubernetesBinary(ctx, 'kubectl')}\n  helm:    ${kubernetesBinary(ctx, 'helm')}`,
    );
  });

kubernetes
  .command('down')
  .description('stop the local API server and remove its files')
  .action(() => deleteLocalCluster(createContext(), localClusterName));

program
  .command('reset')
  .description('stop everything and wipe data, logs and generated config (builds stay cached)')
  .action(() => reset());

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
