import { createContext } from '../../infra/stack/src/context';
import { runKubernetesTool } from '../../infra/stack/src/kubernetes/run-tool';
import { schemaLocation } from '../../infra/stack/src/kubernetes/tools';
import { helmChart, productionValues } from '../support/kubernetes';

/**
 * The chart checked offline, as a reviewer's CI would: helm's own linter in strict mode, then every
 * rendered object against the Kubernetes API's JSON schemas (strict: an unknown field is an error)
 * at both ends of the versions the chart supports. Tools: `npm run stack -- kubernetes tools`.
 */
const ctx = createContext();
const runTool = (tool: 'helm' | 'kubeconform', args: string[], input?: string) => runKubernetesTool(ctx, tool, args, { input });
const { kubernetesVersions } = ctx.manifest.kubernetes.schemas;
const valueSets: [string, string[]][] = [
  ['default values', []],
  ['production values', ['-f', productionValues]],
];

interface KubeconformSummary {
  summary: { valid: number; invalid: number; errors: number; skipped: number };
  resources?: { filename: string; kind: string; name: string; status: string; msg: string }[];
}

describe('infra/helm/tracehop, offline', () => {
  describe.each(valueSets)('with %s', (_name, values) => {
    it('passes helm lint --strict', async () => {
      const output = await runTool('helm', ['lint', '--strict', helmChart, ...values]);
      expect(output).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(output).not.toMatch(/\[(WARNING|ERROR)\]/);
    });

    it.each(kubernetesVersions)('renders objects that are valid Kubernetes %s, strictly', async (version) => {
      const rendered = await runTool('helm', ['template', 'tracehop', helmChart, '-n', 'tracehop', '--kube-version', version, ...values]);
      const output = await runTool(
        'kubeconform',
        ['-strict', '-summary', '-output', 'json', '-kubernetes-version', version, '-schema-location', schemaLocation(ctx), '-'],
        rendered,
      );
      const result = JSON.parse(output) as KubeconformSummary;
      // Everything rendered was checked: no kind without a schema was skipped.
      expect(result.resources?.filter((r) => r.status !== 'statusValid') ?? []).toEqual([]);
      expect(result.summary).toEqual(expect.objectContaining({ invalid: 0, errors: 0, skipped: 0 }));
      expect(result.summary.valid).toBeGreaterThan(30);
    });
  });

  it('refuses a misspelt value with the name of the field (values.schema.json)', async () => {
    await expect(runTool('helm', ['template', 'tracehop', helmChart, '--set', 'gatway.replicas=3'])).rejects.toThrow(/gatway/);
  });

  it('is checked by the pinned helm', async () => {
    expect((await runTool('helm', ['version', '--short'])).trim()).toBe(ctx.manifest.kubernetes.helm.version);
  });
});
