import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackContext } from '../components/component';
import { runKubernetesTool } from './run-tool';
import { kubernetesBinary } from './tools';

/**
 * A Kubernetes control plane on this machine: etcd, kube-apiserver (admission and RBAC on),
 * kube-controller-manager and kube-scheduler as local processes, started by kwokctl, with kwok
 * simulating the nodes and the kubelets' part (pods are scheduled and reported Running and Ready;
 * no container runs), and volumes for claims to bind to. Everything listens on 127.0.0.1.
 */
export interface LocalCluster {
  name: string;
  kubeconfig: string;
  kubectl: (args: string[], input?: string) => Promise<string>;
  helm: (args: string[]) => Promise<string>;
}

/** The cluster `npm run stack -- kubernetes up` starts for users; tests start their own. */
export const localClusterName = 'tracehop';

const workDir = (ctx: StackContext) => join(ctx.paths.state, 'kubernetes');
const kubeconfigOf = (ctx: StackContext, name: string) => join(workDir(ctx), `${name}.kubeconfig`);

/** kwokctl keeps its clusters in KWOK_WORKDIR (default ~/.kwok): ours stay in the stack's state folder. */
function kwokEnv(ctx: StackContext): Record<string, string> {
  return { KWOK_WORKDIR: workDir(ctx) };
}

/**
 * Options no flag sets: listen on 127.0.0.1 (kwokctl binds 0.0.0.0), and the control plane from the
 * stack cache instead of downloads.
 */
function kwokctlConfig(ctx: StackContext): string {
  const options = {
    runtime: 'binary',
    bindAddress: '127.0.0.1',
    kubeAdmission: true,
    kubeAuthorization: true,
    etcdBinary: kubernetesBinary(ctx, 'etcd'),
    kubeApiserverBinary: kubernetesBinary(ctx, 'kubeApiserver'),
    kubeControllerManagerBinary: kubernetesBinary(ctx, 'kubeControllerManager'),
    kubeSchedulerBinary: kubernetesBinary(ctx, 'kubeScheduler'),
    kwokControllerBinary: kubernetesBinary(ctx, 'kwok'),
    kubectlBinary: kubernetesBinary(ctx, 'kubectl'),
  };
  const file = join(workDir(ctx), 'kwokctl.yaml');
  mkdirSync(workDir(ctx), { recursive: true });
  // JSON is YAML: kwokctl reads it as is.
  writeFileSync(file, JSON.stringify({ kind: 'KwokctlConfiguration', apiVersion: 'config.kwok.x-k8s.io/v1alpha1', options }, null, 2));
  return file;
}

/** Handles to a cluster that exists (created here or before). */
export function localCluster(ctx: StackContext, name: string): LocalCluster {
  const kubeconfig = kubeconfigOf(ctx, name);
  const env = { KUBECONFIG: kubeconfig };
  return {
    name,
    kubeconfig,
    kubectl: (args, input) => runKubernetesTool(ctx, 'kubectl', args, { input, env }),
    helm: (args) => runKubernetesTool(ctx, 'helm', args, { env }),
  };
}

/** Creates the cluster (or replaces one of the same name) with `nodes` fake nodes, and waits until it answers. */
export async function createLocalCluster(ctx: StackContext, name: string, nodes: number): Promise<LocalCluster> {
  const env = kwokEnv(ctx);
  await deleteLocalCluster(ctx, name);
  await runKubernetesTool(
    ctx,
    'kwokctl',
    [
      'create',
      'cluster',
      '--name',
      name,
      '--config',
      kwokctlConfig(ctx),
      '--kubeconfig',
      kubeconfigOf(ctx, name),
      '--wait',
      '3m',
      '--quiet-pull',
    ],
    { env },
  );
  await runKubernetesTool(ctx, 'kwokctl', ['scale', 'node', '--name', name, '--replicas', String(nodes)], { env });
  const cluster = localCluster(ctx, name);
  await cluster.kubectl(['wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=120s']);
  await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(staticStorage(staticVolumes)));
  return cluster;
}

const staticVolumes = 16;

/**
 * kwok has no storage provisioner: a StorageClass without one and a few large volumes of it let the
 * PV controller bind claims that ask for that class (or, for the default class, for none), as a
 * static provisioner would. Nothing is written to them: no container runs.
 */
export function staticStorage(count: number, storageClass = 'static', isDefault = true) {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: storageClass, ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
        provisioner: 'kubernetes.io/no-provisioner',
        volumeBindingMode: 'Immediate',
      },
      ...Array.from({ length: count }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `${storageClass}-${i}` },
        spec: {
          capacity: { storage: '1Ti' },
          accessModes: ['ReadWriteOnce'],
          storageClassName: storageClass,
          hostPath: { path: `/data/${storageClass}-${i}` },
        },
      })),
    ],
  };
}

/** Stops its processes and removes its files; a cluster that does not exist is not an error. */
export async function deleteLocalCluster(ctx: StackContext, name: string): Promise<void> {
  await runKubernetesTool(ctx, 'kwokctl', ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfigOf(ctx, name)], {
    env: kwokEnv(ctx),
  }).catch((error: Error) => {
    if (!/not exist|not found/i.test(error.message)) throw error;
  });
}
