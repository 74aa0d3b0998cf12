// `trireme task …`: every task the master knows (any framework), killing Marathon tasks, and sandbox logs.
import { Command, Option } from 'commander';
import { CliError } from './ops/http.ts';
import { MesosClient, agentUrl, sandboxOf, type MasterState } from './ops/mesos-client.ts';
import { MarathonClient } from './ops/marathon-client.ts';
import { hostPorts, taskRows, type TaskRow } from './ops/views.ts';
import { durationArg } from './options.ts';
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

interface LogOpts extends Endpoints { follow: boolean; stderr: boolean; interval: number }

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
  let offset = 0;
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

export function taskCommand(): Command {
  const task = new Command('task').description('tasks of every framework, as the master sees them');

  task.addCommand(withEndpoints(new Command('list')).description('active tasks with framework, state and host:port').option('--all', 'include completed tasks', false)
    .action(action(async (o: Endpoints & { all: boolean }) => {
      const rows = taskRows(await new MesosClient(o.master).state(), { all: o.all });
      if (o.json) return printJson(rows.map((r) => ({ ...r, hostPorts: hostPorts(r) })));
      print(table(['ID', 'FRAMEWORK', 'STATE', 'HOST:PORTS', 'NAME'], rows.map((r) => [r.id, r.framework, stateColour(r.state), hostPorts(r), r.name])));
    })));

  task.addCommand(withEndpoints(new Command('kill')).description('kill a Marathon task (Marathon starts a replacement unless --scale)').argument('<id>')
    .option('--scale', 'also lower the app\'s instances by one', false)
    .action(action(async (id: string, o: Endpoints & { scale: boolean }) => {
      const row = findTask(await new MesosClient(o.master).state(), id);
      const marathon = new MarathonClient(o.marathon);
      const info = await marathon.info();
      if (row.frameworkId !== info.frameworkId) throw new CliError('usage', `task '${row.id}' belongs to framework ${row.framework}; only Marathon's tasks can be killed here (Chronos: \`trireme job\`)`);
      const result = await marathon.killTask(row.id, o.scale);
      if (o.json) return printJson({ id: row.id, ...result });
      print(`task ${row.id}: killed${result.deploymentId ? ` (deployment ${result.deploymentId})` : ''}`);
    })));

  task.addCommand(withEndpoints(new Command('logs')).description("print a task's stdout (or stderr) from its sandbox on the agent").argument('<id>')
    .option('--follow', 'keep printing as the file grows, until the task ends (Ctrl-C stops)', false)
    .option('--stderr', 'stderr instead of stdout', false)
    .addOption(new Option('--interval <duration>', 'with --follow: how often to poll').default(1000, '1secs').argParser(durationArg))
    .action(action(async (id: string, o: LogOpts) => streamLogs(id, o))));
  return task;
}
