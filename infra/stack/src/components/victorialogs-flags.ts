/**
 * VictoriaLogs has no config file: these flags are its configuration, natively and in compose
 * (infra/compose/docker-compose.yaml passes the same list; test/stack/compose.spec.ts checks it).
 */
export function victoriaLogsFlags(listenAddress: string, dataPath: string): string[] {
  return [`-httpListenAddr=${listenAddress}`, `-storageDataPath=${dataPath}`, '-retentionPeriod=7d'];
}
