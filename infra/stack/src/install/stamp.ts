import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { InstallStep, StackContext } from '../components/component';
import { repoRoot } from '../paths';

/** A stamp records the hash of a step's inputs, so a step reruns only when a pin or file changes. */
function stampFile(ctx: StackContext, component: string, step: InstallStep): string {
  return join(ctx.paths.cache, 'stamps', `${component}--${step.title.replace(/[^a-z0-9]+/gi, '-')}`);
}

function digest(inputs: string[] = []): string {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(input).update('\0');
  return hash.digest('hex');
}

export function isStepCurrent(ctx: StackContext, component: string, step: InstallStep): boolean {
  if (!step.inputs) return step.outputExists(ctx);
  const file = stampFile(ctx, component, step);
  return step.outputExists(ctx) && existsSync(file) && readFileSync(file, 'utf8') === digest(step.inputs(ctx));
}

export function markStepDone(ctx: StackContext, component: string, step: InstallStep): void {
  if (!step.inputs) return;
  const file = stampFile(ctx, component, step);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, digest(step.inputs(ctx)));
}

/**
 * File contents as stamp inputs: editing a checked-in build file triggers a rebuild. Paths count
 * relative to the repository, so another clone of the same files (CI's) reuses the builds.
 */
export function fileInputs(...paths: string[]): string[] {
  return paths.map((path) => `${relative(repoRoot, path)}\n${readFileSync(path, 'utf8')}`);
}
