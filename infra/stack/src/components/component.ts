import type { Manifest } from '../manifest';
import type { StackPaths } from '../paths';

/** Everything a component needs to install, configure and start itself. */
export interface StackContext {
  manifest: Manifest;
  paths: StackPaths;
  /** Ports, folders and generated secrets; the config files read these names. */
  env: Record<string, string>;
  /** Set when running as root: Elasticsearch and Postgres refuse root and run as this user. */
  serviceUser?: { name: string; uid: number; gid: number };
  /** Reports progress of the step that is running (shown by the progress renderer). */
  report: (line: string) => void;
}

export interface InstallStep {
  title: string;
  /**
   * Inputs whose change means the step must run again (hashed into a stamp). Without inputs the
   * output's presence alone decides (system packages: whoever installed them, they are there).
   */
  inputs?: (ctx: StackContext) => string[];
  /** Whether the step's output exists (a stamp alone is not enough if the output was deleted). */
  outputExists: (ctx: StackContext) => boolean;
  run: (ctx: StackContext) => Promise<void>;
}

export interface LaunchSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Run as the unprivileged service user when the stack runs as root. */
  dropRoot?: boolean;
  /** Files it reads that no argument names (Prometheus' rule files): a change restarts it too. */
  inputs?: string[];
}

export interface Component {
  name: string;
  title: string;
  dependsOn: string[];
  /** Names of the manifest ports it listens on (checked free before launch). */
  ports: string[];
  /** What users connect to, for the status table. */
  endpoints: (ctx: StackContext) => string[];
  install: InstallStep[];
  /** Prepares the data folder before the first start (idempotent). */
  initData?: (ctx: StackContext) => Promise<void>;
  launch: (ctx: StackContext) => LaunchSpec;
  /** Real readiness: the component does its job, not merely has a port open. */
  isReady: (ctx: StackContext) => Promise<boolean>;
  /** Seconds to wait for readiness after launch. */
  readyTimeoutSeconds: number;
  /** One-time work once ready (databases, topics, index settings); idempotent. */
  afterReady?: (ctx: StackContext) => Promise<void>;
}
