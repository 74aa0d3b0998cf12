// How the operator commands talk to people and scripts: tables or --json on stdout, one-line errors on stderr,
// colour only on a TTY without NO_COLOR, and exit codes a script can branch on.
import { Command, Option } from 'commander';
import Table from 'cli-table3';
import pc from 'picocolors';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { CliError, useClientTls, type FailureKind } from './ops/http.ts';
import { resolveCredentials, useCredentials, type CredentialFlags } from './ops/credentials.ts';
import { CA_FILE_ENV, ClientTls, loadCa } from '../security/tls.ts';

/** Exit codes of the operator commands (documented in the README). */
export const EXIT: Record<FailureKind | 'ok', number> = { ok: 0, usage: 1, api: 1, 'not-found': 2, unreachable: 3, failed: 4, timeout: 5, auth: 6 };

/** Colour only for a person at a terminal: stdout is a TTY and NO_COLOR (https://no-color.org) is unset or empty. */
export function colourEnabled(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return Boolean(isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}

export const colour = pc.createColors(colourEnabled(process.stdout.isTTY, process.env));

export function stateColour(state: string): string {
  if (/RUNNING|FINISHED|success|running|ok|healthy|yes/i.test(state) && !/un/i.test(state)) return colour.green(state);
  if (/FAILED|ERROR|LOST|failure|KILLED|unhealthy|no$/i.test(state)) return colour.red(state);
  if (/STAGING|STARTING|KILLING|deploying|queued|fresh/i.test(state)) return colour.yellow(state);
  return state;
}

/** A borderless, aligned table (kubectl-like) with a bold header. */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({
    head: head.map((h) => colour.bold(h)),
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const r of rows) t.push(r.map(String));
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export interface Endpoints { master: string; marathon: string; chronos: string; json: boolean }

/** Adds --master/--marathon/--chronos (env TRIREME_MASTER/…) and --json to an operator command. */
export function withEndpoints(cmd: Command): Command {
  return cmd
    .addOption(new Option('--master <address>', 'Mesos master: host:port, a comma list, or zk://').env('TRIREME_MASTER').default('127.0.0.1:5050'))
    .addOption(new Option('--marathon <address>', 'Marathon: host:port or URL').env('TRIREME_MARATHON').default('127.0.0.1:8080'))
    .addOption(new Option('--chronos <address>', 'Chronos: host:port or URL').env('TRIREME_CHRONOS').default('127.0.0.1:4400'))
    .option('--json', 'print JSON for scripts instead of tables', false)
    // Secrets only ever come from files or the environment, never from an argument (process lists show those).
    .option('--user <name>', 'user for HTTP Basic authentication; the password comes from --password-file or TRIREME_PASSWORD (env TRIREME_USER)')
    .option('--password-file <file>', 'file holding the password of --user')
    .option('--token-file <file>', 'file holding a bearer token (env TRIREME_TOKEN)')
    .option('--config <file>', 'CLI config file with credentials (env TRIREME_CONFIG; default ~/.config/trireme/config.json)')
    .addOption(new Option('--ca-file <file>', 'PEM CA bundle to verify HTTPS servers against; with it, addresses without http:// or https:// use https').env(CA_FILE_ENV));
}

/** Resolves this run's credentials from an operator command's options, the environment and the config file. */
function configureCredentials(o: Partial<Endpoints> & CredentialFlags): void {
  const byService = resolveCredentials({ flags: o, env: process.env, readFile: (p) => readFileSync(p, 'utf8'), home: homedir() });
  useCredentials(byService, { marathon: o.marathon, chronos: o.chronos });
}

/** Sets up HTTPS trust from the command's --ca-file (or $TRIREME_CA_FILE) before it talks to any API. */
function applyCaFile(args: unknown[]): void {
  const cmd = [...args].reverse().find((a): a is Command => a instanceof Command);
  const file = cmd?.opts<{ caFile?: string }>().caFile;
  if (!cmd || !file) return;
  const flag = cmd.getOptionValueSource('caFile') === 'env' ? CA_FILE_ENV : '--ca-file';
  try {
    useClientTls(new ClientTls({ ca: loadCa('', file, flag) }));
  } catch (err) {
    throw new CliError('usage', (err as Error).message);
  }
}

/** Runs an operator action: a CliError (or any error) becomes one line on stderr and its exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      // Commander passes the options object just before the command itself.
      const cmd = args.at(-1);
      if (cmd instanceof Command) configureCredentials(cmd.opts());
      applyCaFile(args);
      await fn(...args);
    } catch (err) {
      const e = err instanceof CliError ? err : new CliError('api', (err as Error).message);
      process.stderr.write(`trireme: ${e.message}\n`);
      process.exitCode = EXIT[e.kind];
    }
  };
}

/** Percent with one decimal, "-" when the total is zero. */
export function percent(used: number, total: number): string {
  return total > 0 ? `${((used / total) * 100).toFixed(1)}%` : '-';
}

/** Numbers as people read them: 0.5, 2, 1024. */
export function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}
