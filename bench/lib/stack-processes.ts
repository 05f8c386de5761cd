import { statuses } from '../../infra/stack/src/stack';

/** The running stack components' process ids, by component name (stopped ones left out). */
export async function stackProcessIds(): Promise<Record<string, number>> {
  return Object.fromEntries(
    (await statuses()).flatMap((component) => (component.pid === undefined ? [] : [[component.name, component.pid]])),
  );
}
