// Helpers shared by the CLI commands: env-backed options, value parsers, one-line start-up failures.
import { Option, InvalidArgumentError } from 'commander';
import { parseDuration } from '../common/duration.ts';
import { StartupError } from '../common/http.ts';
import { parseZooKeeperUrl } from '../state/zookeeper-session.ts';

/** An option that can also be set as TRIREME_<ROLE>_<FLAG> (e.g. TRIREME_MASTER_PORT). */
export function envOption(role: string, flags: string, description: string): Option {
  const long = /--([a-z0-9-]+)/.exec(flags)![1]!;
  return new Option(flags, description).env(`TRIREME_${role.toUpperCase()}_${long.toUpperCase().replace(/-/g, '_')}`);
}

export function portArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`'${value}' is not a port number (0-65535)`);
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive integer`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`'${value}' is not a non-negative integer`);
  return n;
}

/** Mesos-style boolean flag values: true/false (also 1/0, yes/no). */
export function boolArg(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw new InvalidArgumentError(`'${value}' is not a boolean (true or false)`);
}

/** A zk://host:port,.../path URL (Mesos's --zk form). */
export function zkUrlArg(value: string): string {
  try { parseZooKeeperUrl(value); } catch (err) { throw new InvalidArgumentError((err as Error).message); }
  return value;
}

export function durationArg(value: string): number {
  try { return parseDuration(value); } catch (err) { throw new InvalidArgumentError((err as Error).message); }
}

/** Mesos spells flags with underscores (--work_dir); accept those as well as dashes. */
export function normalizeArgv(argv: string[]): string[] {
  return argv.map((a) => (a.startsWith('--') ? a.replace(/^--([^=]+)/, (_m, name: string) => `--${name.replace(/_/g, '-')}`) : a));
}

/**
 * `trireme agent list` is `trireme agents list`: `agent` itself starts an agent and takes no arguments, so `list`
 * right after it was never valid before and cannot change what an existing `trireme agent --master …` does.
 */
export function aliasAgentList(argv: string[]): string[] {
  return argv[2] === 'agent' && argv[3] === 'list' ? [...argv.slice(0, 2), 'agents', ...argv.slice(3)] : argv;
}

/** Runs a role; a StartupError ends the process with exactly one clear line. */
export async function runRole(start: () => Promise<{ close(): Promise<void> }>): Promise<void> {
  let handle: { close(): Promise<void> };
  try {
    handle = await start();
  } catch (err) {
    if (err instanceof StartupError) {
      process.stderr.write(`trireme: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await handle.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
