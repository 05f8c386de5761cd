import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createContext } from '../../infra/stack/src/context';
import { createLocalCluster, deleteLocalCluster, staticStorage, type LocalCluster } from '../../infra/stack/src/kubernetes/cluster';
import { eventually } from '../support/eventually';
import { guardrails, helmChart, productionValues } from '../support/kubernetes';

/**
 * `helm install` for real: into a Kubernetes API server on this machine (etcd, kube-apiserver with
 * admission and RBAC, controller-manager, scheduler) whose nodes kwok simulates. What a cluster
 * decides is real here: admission, validation, scheduling onto nodes, controllers creating
 * ReplicaSets, pods, endpoints, PDB and HPA status. What no kubelet does is not: no image is pulled,
 * no container starts, no probe runs (kwok reports pods Running and Ready). docs/kubernetes.md.
 */
const ctx = createContext();
const clusterName = `tracehop-e2e-${process.pid}`;
const namespace = 'tracehop';
const nodes = 3;

interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown> & { replicas?: number };
  status?: Record<string, number | undefined>;
}
interface Container {
  name: string;
  securityContext?: Record<string, unknown>;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  ports?: { containerPort: number; hostPort?: number }[];
}
type PodTemplate = { spec: { containers: Container[] } };

let cluster: LocalCluster;

const getItems = async (kinds: string) =>
  (JSON.parse(await cluster.kubectl(['get', kinds, '-n', namespace, '-o', 'json'])) as { items: KubeObject[] }).items;

beforeAll(async () => {
  cluster = await createLocalCluster(ctx, clusterName, nodes);
  for (const file of readdirSync(guardrails)) await cluster.kubectl(['apply', '-f', join(guardrails, file)]);
  await cluster.kubectl(['create', 'namespace', namespace]);
  await cluster.kubectl(['label', 'namespace', namespace, 'tracehop.dev/guardrails=enforced']);
  await cluster.helm(['install', 'tracehop', helmChart, '-n', namespace, '--wait', '--timeout', '5m']);
}, 600_000);

afterAll(async () => {
  if (cluster) await deleteLocalCluster(ctx, clusterName);
}, 120_000);

describe('helm install into a local API server with fake nodes', () => {
  it('brings every Deployment and StatefulSet to its desired replicas', async () => {
    const workloads = await getItems('deployments,statefulsets');
    expect(workloads.length).toBeGreaterThanOrEqual(8);
    for (const workload of workloads) {
      expect({ name: workload.metadata.name, ready: workload.status?.readyReplicas ?? 0 }).toEqual({
        name: workload.metadata.name,
        ready: workload.spec.replicas,
      });
    }
  });

  it('runs the agent DaemonSet on every node', async () => {
    const [agent, ...others] = await getItems('daemonsets');
    expect(others).toEqual([]);
    expect(agent.status).toEqual(expect.objectContaining({ desiredNumberScheduled: nodes, numberReady: nodes, numberAvailable: nodes }));
  });

  it('gives every Service ready endpoints, the headless gateway Service one per gateway pod', async () => {
    const services = await getItems('services');
    const slices = (await getItems('endpointslices')) as unknown as {
      metadata: { labels: Record<string, string> };
      endpoints?: { conditions?: { ready?: boolean } }[];
    }[];
    const readyEndpoints = (service: string) =>
      slices
        .filter((slice) => slice.metadata.labels['kubernetes.io/service-name'] === service)
        .flatMap((slice) => slice.endpoints ?? [])
        .filter((endpoint) => endpoint.conditions?.ready).length;
    for (const service of services)
      expect({ service: service.metadata.name, ready: readyEndpoints(service.metadata.name) > 0 }).toEqual({
        service: service.metadata.name,
        ready: true,
      });
    const headless = services.find((service) => service.spec.clusterIP === 'None' && /gateway/.test(service.metadata.name));
    const gateway = (await getItems('deployments')).find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'gateway');
    expect(headless && readyEndpoints(headless.metadata.name)).toBe(gateway?.spec.replicas);
  });

  it('has its HorizontalPodAutoscaler and PodDisruptionBudgets accepted and tracked by their controllers', async () => {
    const [hpa] = await getItems('horizontalpodautoscalers');
    expect(hpa.spec).toEqual(expect.objectContaining({ scaleTargetRef: expect.objectContaining({ kind: 'Deployment' }) }));
    // The disruption controller fills in a budget's status once it has counted the pods it covers.
    const budgets = await eventually('every PodDisruptionBudget counted', 60, async () => {
      const items = await getItems('poddisruptionbudgets');
      return items.every((budget) => (budget.status?.expectedPods ?? 0) > 0) ? items : undefined;
    });
    expect(budgets.length).toBeGreaterThanOrEqual(4);
    for (const budget of budgets) {
      const { currentHealthy = 0, desiredHealthy = 1 } = budget.status ?? {};
      expect({ name: budget.metadata.name, allowsDisruption: currentHealthy >= desiredHealthy }).toEqual({
        name: budget.metadata.name,
        allowsDisruption: true,
      });
    }
  });

  it('admits only agents to the gateways and only gateways to the trace store (NetworkPolicies)', async () => {
    interface Selector {
      matchLabels?: Record<string, string>;
      matchExpressions?: { key: string; operator: string; values: string[] }[];
    }
    const component = 'app.kubernetes.io/component';
    const components = (selector: Selector) => [
      ...(selector.matchLabels?.[component] ? [selector.matchLabels[component]] : []),
      ...(selector.matchExpressions ?? []).filter((e) => e.key === component && e.operator === 'In').flatMap((e) => e.values),
    ];
    const policies = (await getItems('networkpolicies')) as unknown as {
      spec: { podSelector: Selector; ingress: { from?: { podSelector: Selector }[]; ports: { port: number }[] }[] };
    }[];
    const admitted = (target: string, port: number) =>
      policies
        .filter((policy) => components(policy.spec.podSelector).includes(target))
        .flatMap((policy) => policy.spec.ingress)
        .filter((rule) => rule.ports.some((p) => p.port === port))
        .flatMap((rule) => rule.from?.flatMap((peer) => components(peer.podSelector)) ?? ['anyone']);
    expect(admitted('gateway', ctx.manifest.ports.GATEWAY_OTLP_GRPC_PORT)).toEqual(['agent']);
    expect(admitted('jaeger', ctx.manifest.ports.JAEGER_OTLP_GRPC_PORT)).toEqual(['gateway']);
    expect(admitted('opensearch', ctx.manifest.ports.SEARCH_PORT)).toEqual(['jaeger']);
  });

  describe('the guardrails (infra/helm/guardrails) refuse a policy-violating change', () => {
    /** A copy of the chart's user-service Deployment under another name, changed by `change`, offered to the API server without being stored. */
    async function offer(change: (template: PodTemplate) => void): Promise<string> {
      const [deployment] = (
        JSON.parse(
          await cluster.kubectl(['get', 'deployments', '-n', namespace, '-l', 'app.kubernetes.io/component=user-service', '-o', 'json']),
        ) as {
          items: (KubeObject & { spec: { template: PodTemplate } })[];
        }
      ).items;
      expect(deployment).toBeDefined();
      change(deployment.spec.template);
      const copy = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'policy-probe', namespace, labels: deployment.metadata.labels },
        spec: deployment.spec,
      };
      return cluster.kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(copy));
    }

    it('accepts the chart as it is', async () => {
      await expect(offer(() => undefined)).resolves.toContain('policy-probe created (server dry run)');
    });

    it('refuses a privileged container', async () => {
      await expect(
        offer((template) => {
          template.spec.containers[0].securityContext = {
            ...template.spec.containers[0].securityContext,
            privileged: true,
            allowPrivilegeEscalation: true,
          };
        }),
      ).rejects.toThrow(
        /tracehop-guardrails' .*denied request: Deployment policy-probe: privileged or allowPrivilegeEscalation container\(s\): user-service/,
      );
    });

    it('refuses a container without resource limits', async () => {
      await expect(
        offer((template) => {
          delete template.spec.containers[0].resources?.limits;
        }),
      ).rejects.toThrow(
        /tracehop-guardrails' .*denied request: Deployment policy-probe: container\(s\) without cpu and memory limits: user-service/,
      );
    });

    it('refuses a host port outside the agent', async () => {
      await expect(
        offer((template) => {
          template.spec.containers[0].ports = [{ containerPort: 9999, hostPort: 9999 }];
        }),
      ).rejects.toThrow(
        /tracehop-guardrails' .*denied request: Deployment policy-probe: hostNetwork and hostPort are reserved to the tracehop agent/,
      );
    });
  });
  it('upgrades in place: a changed setting rolls the pods that read it, the generated Secrets stay', async () => {
    const secretOf = async () =>
      (await cluster.kubectl(['get', 'secret', 'tracehop-gateway-auth', '-n', namespace, '-o', 'jsonpath={.data.token}'])).trim();
    const gatewayPods = async () =>
      (
        await cluster.kubectl([
          'get',
          'pods',
          '-n',
          namespace,
          '-l',
          'app.kubernetes.io/component=gateway',
          '-o',
          'jsonpath={.items[*].metadata.name}',
        ])
      ).trim();
    const [token, podsBefore] = [await secretOf(), await gatewayPods()];
    await cluster.helm([
      'upgrade',
      'tracehop',
      helmChart,
      '-n',
      namespace,
      '--reuse-values',
      '--set',
      'gateway.tailSampling.baselineThreshold=e6666666666666',
      '--wait',
      '--timeout',
      '5m',
    ]);
    expect(await secretOf()).toBe(token);
    const rolled = await eventually('the gateways replaced by pods with the new config', 120, async () => {
      const gateway = (await getItems('deployments')).find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'gateway');
      const pods = await gatewayPods();
      const ready =
        gateway?.status?.updatedReplicas === gateway?.spec.replicas && gateway?.status?.readyReplicas === gateway?.spec.replicas;
      return ready && pods.split(' ').every((pod) => !podsBefore.includes(pod)) ? pods : undefined;
    });
    expect(rolled).not.toBe('');
  });

  // One agent per node and cluster: the agents bind the nodes' host ports, so a second release's
  // DaemonSet cannot schedule beside the first. The first goes before the production install.
  describe('helm uninstall, then the production values in their own namespace', () => {
    const production = 'tracehop-production';
    /** The Secrets production-values.yaml names (the chart makes none then); contents do not matter where no container runs. */
    const secrets: Record<string, string[]> = {
      'gateway-auth-from-vault': ['token', 'tls.crt', 'tls.key', 'ca.crt'],
      'postgres-from-vault': ['password'],
      'kafka-key-salt-from-vault': ['salt'],
      'grafana-admin-from-vault': ['admin-user', 'admin-password'],
    };
    const inProduction = async (kinds: string) =>
      (JSON.parse(await cluster.kubectl(['get', kinds, '-n', production, '-o', 'json'])) as { items: KubeObject[] }).items;

    beforeAll(async () => {
      await cluster.helm(['uninstall', 'tracehop', '-n', namespace, '--wait', '--timeout', '2m']);
      await cluster.kubectl(['create', 'namespace', production]);
      await cluster.kubectl(['label', 'namespace', production, 'tracehop.dev/guardrails=enforced']);
      for (const [name, keys] of Object.entries(secrets))
        await cluster.kubectl([
          'create',
          'secret',
          'generic',
          name,
          '-n',
          production,
          ...keys.map((key) => `--from-literal=${key}=not-a-secret`),
        ]);
      // Its volumes ask for the class production-values.yaml names.
      await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(staticStorage(3, 'fast-ssd', false)));
      await cluster.helm(['install', 'tracehop', helmChart, '-n', production, '-f', productionValues, '--wait', '--timeout', '5m']);
    }, 400_000);

    it('uninstalled the first release, keeping only the Postgres password and the volumes', async () => {
      expect(await getItems('deployments,statefulsets,daemonsets,services,configmaps,networkpolicies,poddisruptionbudgets')).toEqual(
        expect.not.arrayContaining([
          expect.objectContaining({
            metadata: expect.objectContaining({ labels: expect.objectContaining({ 'app.kubernetes.io/part-of': 'tracehop' }) }),
          }),
        ]),
      );
      const secrets = (await getItems('secrets')).map((secret) => secret.metadata.name);
      expect(secrets).toEqual(['tracehop-postgres']);
      expect((await getItems('persistentvolumeclaims')).length).toBe(5);
    });

    it('installs without Kafka and Postgres, every workload at its replicas (services 3 each)', async () => {
      const workloads = await inProduction('deployments,statefulsets');
      const components = workloads.map((w) => w.metadata.labels?.['app.kubernetes.io/component']);
      expect(components).not.toContain('kafka');
      expect(components).not.toContain('postgres');
      for (const workload of workloads)
        expect({ name: workload.metadata.name, ready: workload.status?.readyReplicas ?? 0 }).toEqual({
          name: workload.metadata.name,
          ready: workload.spec.replicas,
        });
      expect(workloads.find((w) => w.metadata.labels?.['app.kubernetes.io/component'] === 'order-service')?.spec.replicas).toBe(3);
    });

    it('lets the autoscaler own the gateways: it raises them to its minimum of 3', async () => {
      const gateway = await eventually('the HPA to scale the gateways to 3', 90, async () => {
        const found = (await inProduction('deployments')).find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'gateway');
        return found?.spec.replicas === 3 && found.status?.readyReplicas === 3 ? found : undefined;
      });
      expect(gateway.spec.replicas).toBe(3);
    });
  });
});
