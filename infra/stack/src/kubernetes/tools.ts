import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstallStep, StackContext } from '../components/component';
import { goBinaryPath, goInstallStep, wrapperModuleStep, type GoBinary } from '../install/go-build';
import { pythonPackage } from '../install/python-venv';

/**
 * What validates the Helm chart: helm and kubeconform for the offline checks, and a real control
 * plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) with kwok's fake nodes for
 * the install test, and kubectl to read it. All built from the Go module proxy (the schemas from PyPI) into the stack cache,
 * like the stack's own components; versions in infra/native/manifest.json ("kubernetes").
 */

const kubernetesVersion = (ctx: StackContext) => ctx.manifest.kubernetes.kubernetes.version;

/** What `--version` reports and what kwokctl reads to pick each binary's flags: without it, v0.0.0-master. */
function kubernetesVersionSettings(ctx: StackContext): Record<string, string> {
  const version = kubernetesVersion(ctx);
  const [major, minor] = version.replace(/^v/, '').split('.');
  const settings: Record<string, string> = {};
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    Object.assign(settings, {
      [`${pkg}.gitVersion`]: version,
      [`${pkg}.gitMajor`]: major,
      [`${pkg}.gitMinor`]: minor,
      [`${pkg}.gitTreeState`]: 'clean',
    });
  }
  return settings;
}

const controlPlaneBinary = (binaryName: string): GoBinary => ({
  name: 'kubernetes',
  version: kubernetesVersion,
  binaryName,
  linkerSettings: kubernetesVersionSettings,
});

const binaries = {
  helm: {
    name: 'helm',
    version: (ctx) => ctx.manifest.kubernetes.helm.version,
    binaryName: 'helm',
    // Without it `helm version` prints only the minor ("v4.3").
    linkerSettings: (ctx) => ({ 'helm.sh/helm/v4/internal/version.version': ctx.manifest.kubernetes.helm.version }),
  },
  kubeconform: { name: 'kubeconform', version: (ctx) => ctx.manifest.kubernetes.kubeconform.version, binaryName: 'kubeconform' },
  etcd: { name: 'etcd', version: (ctx) => ctx.manifest.kubernetes.etcd.version, binaryName: 'etcd' },
  kwok: { name: 'kwok', version: (ctx) => ctx.manifest.kubernetes.kwok.version, binaryName: 'kwok' },
  kwokctl: { name: 'kwok', version: (ctx) => ctx.manifest.kubernetes.kwok.version, binaryName: 'kwokctl' },
  kubeApiserver: controlPlaneBinary('kube-apiserver'),
  kubeControllerManager: controlPlaneBinary('kube-controller-manager'),
  kubeScheduler: controlPlaneBinary('kube-scheduler'),
  kubectl: controlPlaneBinary('kubectl'),
} satisfies Record<string, GoBinary>;

export type KubernetesBinary = keyof typeof binaries;

/** Where each tool's binary is once `installKubernetesTools` ran. */
export const kubernetesBinary = (ctx: StackContext, tool: KubernetesBinary) => goBinaryPath(ctx, binaries[tool]);

/** The strict JSON schemas of one Kubernetes version, laid out as kubeconform's -schema-location expects. */
export const schemaFolder = (ctx: StackContext, kubernetesVersion: string) =>
  join(ctx.paths.cache, 'kubernetes-schemas', ctx.manifest.kubernetes.schemas.version, `v${kubernetesVersion}-local-strict`);

/**
 * kubeconform's -schema-location for these schemas. Their file names are kubeconform's own
 * (deployment-apps-v1.json); its default location is a host this machine cannot reach.
 */
export const schemaLocation = (ctx: StackContext) =>
  join(
    ctx.paths.cache,
    'kubernetes-schemas',
    ctx.manifest.kubernetes.schemas.version,
    '{{ .NormalizedKubernetesVersion }}-local-strict',
    '{{ .ResourceKind }}{{ .KindSuffix }}.json',
  );

/**
 * kubernetes-validate ships the schemas of Kubernetes 1.25 onwards in its package. Each schema has
 * an `$id` on kubernetes.io and refers to the shared definitions as `/api/_definitions.json`,
 * resolved against that id: a URL kubeconform would have to fetch. Without the id and with a
 * relative reference, `_definitions.json` is read from beside the file.
 */
const schemasStep: InstallStep = {
  title: 'copy the Kubernetes JSON schemas (PyPI kubernetes-validate)',
  inputs: (ctx) => [ctx.manifest.kubernetes.schemas.version, ...ctx.manifest.kubernetes.schemas.kubernetesVersions],
  outputExists: (ctx) => ctx.manifest.kubernetes.schemas.kubernetesVersions.every((version) => existsSync(schemaFolder(ctx, version))),
  run: async (ctx) => {
    const { version, kubernetesVersions } = ctx.manifest.kubernetes.schemas;
    const venv = await pythonPackage(ctx.paths.cache, 'kubernetes-validate', version);
    const [sitePackages] = readdirSync(join(venv, 'lib')).map((python) => join(venv, 'lib', python, 'site-packages'));
    for (const kubernetes of kubernetesVersions) {
      const source = join(sitePackages, 'kubernetes_validate', 'kubernetes-json-schema', `v${kubernetes}-local-strict`);
      if (!existsSync(source)) throw new Error(`kubernetes-validate ${version} has no schemas for Kubernetes ${kubernetes} (${source})`);
      const target = schemaFolder(ctx, kubernetes);
      rmSync(`${target}.partial`, { recursive: true, force: true });
      mkdirSync(`${target}.partial`, { recursive: true });
      for (const file of readdirSync(source)) {
        const { $id: _id, ...schema } = JSON.parse(readFileSync(join(source, file), 'utf8')) as Record<string, unknown>;
        writeFileSync(
          join(`${target}.partial`, file),
          JSON.stringify(schema).replaceAll('"/api/_definitions.json#', '"_definitions.json#'),
        );
      }
      rmSync(target, { recursive: true, force: true });
      renameSync(`${target}.partial`, target);
    }
  },
};

/** The install steps, cheapest first: the offline checks can run while the control plane builds. */
export const kubernetesToolSteps: InstallStep[] = [
  goInstallStep(binaries.helm, 'helm.sh/helm/v4/cmd/helm'),
  goInstallStep(binaries.kubeconform, 'github.com/yannh/kubeconform/cmd/kubeconform'),
  schemasStep,
  wrapperModuleStep(binaries.etcd, 'infra/native/etcd', '.'),
  goInstallStep(binaries.kwok, 'sigs.k8s.io/kwok/cmd/kwok'),
  goInstallStep(binaries.kwokctl, 'sigs.k8s.io/kwok/cmd/kwokctl'),
  wrapperModuleStep(binaries.kubeApiserver, 'infra/native/kubernetes', 'k8s.io/kubernetes/cmd/kube-apiserver'),
  wrapperModuleStep(binaries.kubeControllerManager, 'infra/native/kubernetes', 'k8s.io/kubernetes/cmd/kube-controller-manager'),
  wrapperModuleStep(binaries.kubeScheduler, 'infra/native/kubernetes', 'k8s.io/kubernetes/cmd/kube-scheduler'),
  wrapperModuleStep(binaries.kubectl, 'infra/native/kubernetes', 'k8s.io/kubernetes/cmd/kubectl'),
];
