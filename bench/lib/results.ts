import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';

export const RESULTS_DIR = join(__dirname, '..', 'results');

/** Where and when a benchmark ran: every result carries it, since figures mean nothing without the machine. */
export function machine(): { date: string; cpu: string; cores: number; memoryGiB: number; node: string } {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/**
 * bench/results/<name>-<yyyy-mm-dd>.json and .md; returns the path stem (plots go next to it). A
 * different result of the same day gets -2, -3, …: results already written (and cited in docs) are
 * never overwritten; the same data again (--replot) rewrites its own files.
 */
export function writeResults(name: string, data: object, markdown: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = JSON.stringify(data, null, 2) + '\n';
  const day = `${name}-${new Date().toISOString().slice(0, 10)}`;
  let stem = join(RESULTS_DIR, day);
  for (let n = 2; existsSync(`${stem}.json`) && readFileSync(`${stem}.json`, 'utf8') !== json; n++) stem = join(RESULTS_DIR, `${day}-${n}`);
  writeFileSync(`${stem}.json`, json);
  writeFileSync(`${stem}.md`, markdown);
  return stem;
}

/** A Markdown table from a header and rows. */
export function table(header: string[], rows: (string | number)[][]): string {
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n') + '\n';
}

/** A results JSON written by writeResults: the options of the run, every run, and the machine. */
export function readResults<Options, Run>(file: string): { options: Options; runs: Run[]; machine: ReturnType<typeof machine> } {
  return JSON.parse(readFileSync(file, 'utf8')) as { options: Options; runs: Run[]; machine: ReturnType<typeof machine> };
}

/** The options every benchmark's results take: --label (in the file names) and --replot (table and plots from a results JSON). */
export function withResultOptions(command: Command): Command {
  return command
    .option('--label <name>', 'added to the result file names, e.g. the change being measured')
    .option('--replot <file>', 'write the table and plots again from a results JSON of this script, measuring nothing');
}
