import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import which from 'which';

/** JAVA_HOME if set, else the JDK behind `java` on PATH (Kafka and Elasticsearch need Java 17+). */
export function javaHome(): string {
  if (process.env.JAVA_HOME) return process.env.JAVA_HOME;
  const java = which.sync('java', { nothrow: true });
  if (!java) throw new Error('java not found on PATH: install a JDK 17+ (Debian: apt-get install openjdk-17-jdk-headless)');
  return dirname(dirname(realpathSync(java)));
}
