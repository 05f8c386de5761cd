import { agent, gateway } from './collector';
import type { Component } from './component';
import { jaeger } from './jaeger';
import { kafka } from './kafka';
import { postgres } from './postgres';
import { prometheus } from './prometheus';
import { search } from './search';
import { victorialogs } from './victorialogs';

/** Start order: every component comes after what it depends on (checked below); `down` reverses it. */
export const components: Component[] = [postgres, kafka, search, victorialogs, prometheus, jaeger, gateway, agent];

components.forEach((component, index) => {
  for (const dependency of component.dependsOn) {
    if (!components.slice(0, index).some((c) => c.name === dependency)) {
      throw new Error(`${component.name} depends on ${dependency}, which must start before it`);
    }
  }
});

export function componentNamed(name: string): Component {
  const component = components.find((c) => c.name === name);
  if (!component) throw new Error(`unknown component "${name}"; components: ${components.map((c) => c.name).join(', ')}`);
  return component;
}
