// A small framework on the Mesos v1 scheduler API: runs N copies of a command across the cluster,
// the way an MPI- or Hadoop-style framework would, then tears itself down.
//   node --import tsx examples/run-n.ts --master 127.0.0.1:5050 --instances 5 --cmd 'echo hi from $MESOS_TASK_ID'
import { Command } from 'commander';
import { SchedulerClient } from '../src/scheduler-client/client.ts';
import { clientTlsFromFlags, type ClientTls } from '../src/security/tls.ts';
import { OfferLoop, type OfferPlanner } from '../src/framework/offer-loop.ts';
import { isTerminalState, type TaskInfo } from '../src/proto/mesos.ts';

const opts = new Command('run-n')
  .requiredOption('--master <host:port>', 'master address')
  .option('--instances <n>', 'how many copies', (v) => Number(v), 3)
  .option('--cmd <command>', 'shell command to run', 'echo hello from $MESOS_TASK_ID')
  .option('--cpus <n>', 'cpus per task', (v) => Number(v), 0.1)
  .option('--mem <mb>', 'memory per task (MB)', (v) => Number(v), 32)
  .option('--name <name>', 'framework name', 'run-n')
  .option('--ca-file <file>', 'CA to verify an HTTPS master against (also $TRIREME_CA_FILE); https://host:port works too')
  .parse()
  .opts<{ master: string; instances: number; cmd: string; cpus: number; mem: number; name: string; caFile?: string }>();

let tls: ClientTls;
try { tls = clientTlsFromFlags('run-n', { ...(opts.caFile ? { caFile: opts.caFile } : {}) }); } catch (err) { console.error((err as Error).message); process.exit(1); }
const client = new SchedulerClient({ master: opts.master, tls, frameworkInfo: { user: process.env.USER ?? 'root', name: opts.name, failover_timeout: 0 } });
let launched = 0;
const finished = new Map<string, string>();

// The shared offer cycle: pack pending copies into offers, decline the rest, suppress once all are launched.
const planner: OfferPlanner = {
  wantsOffers: () => launched < opts.instances,
  plan(offers) {
    const placed = new Map<string, TaskInfo[]>();
    for (const budget of offers) {
      const tasks: TaskInfo[] = [];
      while (launched < opts.instances) {
        const fit = budget.take({ cpus: opts.cpus, mem: opts.mem });
        if (!fit.ok) break;
        const id = `${opts.name}-${launched++}`;
        tasks.push({ name: id, task_id: { value: id }, agent_id: budget.offer.agent_id, resources: fit.resources, command: { value: opts.cmd } });
      }
      if (tasks.length > 0) placed.set(budget.offer.id.value, tasks);
    }
    return placed;
  },
  launchFailed(tasks) { launched -= tasks.length; },
};
const offers = new OfferLoop(client, planner);
offers.start();

client.on('subscribed', ({ frameworkId }) => console.log(`subscribed as ${frameworkId}`));
client.on('update', async (status) => {
  console.log(`${status.task_id.value} ${status.state}${status.message ? ` (${status.message})` : ''}`);
  if (!isTerminalState(status.state)) return;
  finished.set(status.task_id.value, status.state);
  if (finished.size === opts.instances) {
    const failed = [...finished.values()].filter((s) => s !== 'TASK_FINISHED').length;
    console.log(`all ${opts.instances} tasks done, ${failed} failed`);
    // Acknowledge the last update before tearing down, then leave.
    if (status.uuid && status.agent_id) await client.acknowledge(status.agent_id.value, status.task_id.value, status.uuid).catch(() => undefined);
    await client.stop({ teardown: true });
    process.exit(failed === 0 ? 0 : 1);
  }
});
client.on('error', (message) => { console.error(`master refused the framework: ${message}`); process.exit(2); });
process.on('SIGINT', async () => { await client.stop({ teardown: true }); process.exit(130); });
client.start();
