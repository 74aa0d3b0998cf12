// `trireme task …`: every task the master knows (any framework), killing Marathon tasks, and sandbox logs.
import { Command, Option } from 'commander';
import { CliError } from './ops/http.ts';
import { MesosClient, agentUrl, sandboxOf, type MasterState } from './ops/mesos-client.ts';
import { MarathonClient } from './ops/marathon-client.ts';
import { hostPorts, taskRows, type TaskRow } from './ops/views.ts';
import { durationArg, nonNegativeInt } from './options.ts';
import { tailOffset } from './ops/tail.ts';
import { chronosJobOf, killChronosTask } from './ops/chronos-kill.ts';
import { ChronosClient } from './ops/chronos-client.ts';
import { action, print, printJson, stateColour, table, withEndpoints, type Endpoints } from './output.ts';

const TERMINAL = /^TASK_(FINISHED|FAILED|KILLED|LOST|ERROR|DROPPED|GONE)/;
const PAGE = 64 * 1024;

/** The task with this id, or the only one whose id contains it (as the Mesos CLI accepts partial ids). */
export function findTask(state: MasterState, id: string): TaskRow {
  const rows = taskRows(state, { all: true });
  const exact = rows.find((r) => r.id === id);
  if (exact) return exact;
  const partial = rows.filter((r) => r.id.includes(id));
  if (partial.length === 1) return partial[0]!;
  if (partial.length > 1) throw new CliError('usage', `task id '${id}' is ambiguous: ${partial.slice(0, 5).map((r) => r.id).join(', ')}${partial.length > 5 ? ', …' : ''}`);
  throw new CliError('not-found', `task '${id}' does not exist`);
}

/** findTask, except that an unknown Chronos task id (queued, not launched yet) is left to Chronos to judge. */
function findTaskOrQueuedChronos(state: MasterState, id: string): TaskRow | undefined {
  try {
    return findTask(state, id);
  } catch (err) {
    if (err instanceof CliError && err.kind === 'not-found' && chronosJobOf(id) !== undefined) return undefined;
    throw err;
  }
}

interface LogOpts extends Endpoints { follow: boolean; stderr: boolean; interval: number; tail?: number }
/** The agent's largest single read (src/agent/files.ts MAX_READ): the furthest back --tail looks. */
const MAX_READ = 16 * PAGE;

async function streamLogs(id: string, o: LogOpts): Promise<void> {
  const mesos = new MesosClient(o.master);
  let state = await mesos.state();
  const task = findTask(state, id);
  const agent = state.slaves.find((a) => a.id === task.agentId);
  if (!agent) throw new CliError('not-found', `task '${task.id}': its agent ${task.agentId} is no longer registered`);
  const url = agentUrl(agent, mesos.scheme);
  const sandbox = sandboxOf(await mesos.agentState(url), task.frameworkId, task.id);
  if (!sandbox) throw new CliError('not-found', `task '${task.id}': no sandbox on agent ${agent.hostname} (it may have been garbage-collected)`);
  const path = `${sandbox}/${o.stderr ? 'stderr' : 'stdout'}`;
  let offset = o.tail === undefined ? 0 : await startOfTail(mesos, url, path, o);
  let terminal = TERMINAL.test(task.state);
  for (let polls = 0; ; polls++) {
    // Drain what is there now, a page at a time. Offsets are bytes; the size tells how many each page holds
    // (the decoded text cannot: a character split at a page end comes back as U+FFFD).
    const size = await mesos.fileSize(url, path).catch((err: unknown) => {
      // A task still starting may not have the file yet: following waits for it.
      if (o.follow && err instanceof CliError && err.kind === 'not-found') return 0;
      throw err;
    });
    while (offset < size) {
      const length = Math.min(PAGE, size - offset);
      const page = await mesos.readFile(url, path, offset, length);
      process.stdout.write(page.data);
      offset += length;
    }
    if (!o.follow || terminal) return;
    await new Promise((r) => setTimeout(r, o.interval));
    if (polls % 4 === 3) {
      state = await mesos.state();
      const now = taskRows(state, { all: true }).find((r) => r.id === task.id);
      terminal = !now || TERMINAL.test(now.state);
    }
  }
}

/** The byte offset of the last `--tail` lines (0 for a file not there yet, when following). */
async function startOfTail(mesos: MesosClient, url: string, path: string, o: LogOpts): Promise<number> {
  let size: number;
  try {
    size = await mesos.fileSize(url, path);
  } catch (err) {
    if (o.follow && err instanceof CliError && err.kind === 'not-found') return 0;
    throw err;
  }
  return tailOffset(size, o.tail!, PAGE, MAX_READ, async (offset, length) => (await mesos.readFile(url, path, offset, length)).data);
}

export function taskCommand(): Command {
  const task = new Command('task').description('tasks of every framework, as the master sees them');

  task.addCommand(withEndpoints(new Command('list')).description('active tasks with framework, state and host:port').option('--all', 'include completed tasks', false)
    .action(action(async (o: Endpoints & { all: boolean }) => {
      const rows = taskRows(await new MesosClient(o.master).state(), { all: o.all });
      if (o.json) return printJson(rows.map((r) => ({ ...r, hostPorts: hostPorts(r) })));
      print(table(['ID', 'FRAMEWORK', 'STATE', 'HOST:PORTS', 'NAME'], rows.map((r) => [r.id, r.framework, stateColour(r.state), hostPorts(r), r.name])));
    })));

  task.addCommand(withEndpoints(new Command('kill'))
    .description('kill a task: Marathon starts a replacement unless --scale; a Chronos task is killed through its job')
    .argument('<id>')
    .option('--scale', 'Marathon: also lower the app\'s instances by one', false)
    .option('--job', 'Chronos: also kill the job\'s other queued and running tasks (Chronos kills per job)', false)
    .action(action(async (id: string, o: Endpoints & { scale: boolean; job: boolean }) => {
      // A queued Chronos task is not in the master's state yet: its id alone names the job.
      const row = findTaskOrQueuedChronos(await new MesosClient(o.master).state(), id);
      const chronosJob = chronosJobOf(row?.id ?? id);
      if (chronosJob !== undefined) {
        const result = await killChronosTask(new ChronosClient(o.chronos), row?.id ?? id, chronosJob, o.job);
        if (o.json) return printJson({ id: row?.id ?? id, job: result.job, killed: result.killed });
        return print(result.line);
      }
      if (!row) throw new CliError('not-found', `task '${id}' does not exist`);
      const marathon = new MarathonClient(o.marathon);
      const info = await marathon.info();
      if (row.frameworkId !== info.frameworkId) throw new CliError('usage', `task '${row.id}' belongs to framework ${row.framework}; only Marathon's and Chronos' tasks can be killed here`);
      const result = await marathon.killTask(row.id, o.scale);
      if (o.json) return printJson({ id: row.id, ...result });
      print(`task ${row.id}: killed${result.deploymentId ? ` (deployment ${result.deploymentId})` : ''}`);
    })));

  task.addCommand(withEndpoints(new Command('logs')).description("print a task's stdout (or stderr) from its sandbox on the agent").argument('<id>')
    .option('--follow', 'keep printing as the file grows, until the task ends (Ctrl-C stops)', false)
    .option('--stderr', 'stderr instead of stdout', false)
    .addOption(new Option('--interval <duration>', 'with --follow: how often to poll').default(1000, '1secs').argParser(durationArg))
    .addOption(new Option('--tail <lines>', 'only the last <lines> lines (then, with --follow, what is added)').argParser(nonNegativeInt))
    .action(action(async (id: string, o: LogOpts) => streamLogs(id, o))));
  return task;
}
